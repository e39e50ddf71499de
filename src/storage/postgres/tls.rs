//! TLS to PostgreSQL with rustls (docs/postgres.md): the URL's `sslmode` as libpq reads it
//! (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`) and `sslrootcert=FILE` or
//! `DIALBASE_PG_CA` for a CA beside the system's. Without `sslmode` the connection is plain,
//! as before. tokio-postgres knows neither `verify-*` nor `sslrootcert`: both are taken off
//! the URL here and the rest is tokio-postgres's to parse.

use crate::storage::StoreError;
use deadpool_postgres::{Manager, ManagerConfig};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use tokio_postgres::NoTls;
use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// No `sslmode`, or `disable`: plain TCP.
    Plain,
    /// `prefer`: TLS if the server offers it, unchecked (libpq's meaning).
    Prefer,
    /// `require`: TLS, encrypted but the certificate unchecked, unless a CA file is given
    /// (then as `verify-ca`, as libpq does).
    Require,
    /// `verify-ca`: TLS, the certificate signed by a trusted CA, any name.
    VerifyCa,
    /// `verify-full`: TLS, the certificate signed by a trusted CA and naming the host.
    VerifyFull,
}

/// A `postgres://` URL split into what tokio-postgres reads and the TLS settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTarget {
    pub url: String,
    pub mode: TlsMode,
    pub ca_file: Option<String>,
}

fn invalid(message: String) -> StoreError {
    StoreError::Backend(message)
}

/// `%XX` escapes of a URL query value.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_target(url: &str, ca_env: Option<String>) -> Result<PgTarget, StoreError> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let (mut mode, mut ca_file) = (TlsMode::Plain, ca_env.filter(|f| !f.is_empty()));
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                mode = match percent_decode(value).as_str() {
                    "disable" => TlsMode::Plain,
                    "allow" | "prefer" => TlsMode::Prefer,
                    "require" => TlsMode::Require,
                    "verify-ca" => TlsMode::VerifyCa,
                    "verify-full" => TlsMode::VerifyFull,
                    other => {
                        return Err(invalid(format!(
                            "invalid PostgreSQL URL: sslmode {other:?} is not disable, prefer, require, verify-ca or verify-full"
                        )));
                    }
                }
            }
            "sslrootcert" => ca_file = Some(percent_decode(value)),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    if mode == TlsMode::Require && ca_file.is_some() {
        mode = TlsMode::VerifyCa;
    }
    Ok(PgTarget { url, mode, ca_file })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The system's CAs and the CA file, if any.
fn roots(ca_file: Option<&str>) -> Result<RootCertStore, StoreError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(file) = ca_file {
        let certificates = CertificateDer::pem_file_iter(file)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| invalid(format!("PostgreSQL CA file {file}: {e}")))?;
        if certificates.is_empty() {
            return Err(invalid(format!("PostgreSQL CA file {file}: no certificate in it")));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| invalid(format!("PostgreSQL CA file {file}: {e}")))?;
        }
    }
    if roots.is_empty() {
        return Err(invalid(
            "no CA to check the PostgreSQL server with: give sslrootcert= or DIALBASE_PG_CA".into(),
        ));
    }
    Ok(roots)
}

/// Checks the chain up to a trusted CA but not the name (`verify-ca`); or, with no
/// `chain`, nothing but the handshake's signatures (`require`, `prefer`).
#[derive(Debug)]
struct PartialVerifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PartialVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn client_config(mode: TlsMode, ca_file: Option<&str>) -> Result<ClientConfig, StoreError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(format!("TLS: {e}")))?;
    let config = match mode {
        TlsMode::VerifyFull => builder.with_root_certificates(roots(ca_file)?),
        TlsMode::VerifyCa => {
            let chain = WebPkiServerVerifier::builder_with_provider(Arc::new(roots(ca_file)?), provider.clone())
                .build()
                .map_err(|e| invalid(format!("TLS: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PartialVerifier {
                    chain: Some(chain),
                    provider,
                }))
        }
        TlsMode::Plain | TlsMode::Prefer | TlsMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PartialVerifier { chain: None, provider })),
    };
    Ok(config.with_no_client_auth())
}

/// The pool's connection manager for a `postgres://` URL, with TLS as it asks.
pub fn manager(url: &str, manager_config: ManagerConfig) -> Result<Manager, StoreError> {
    let target = parse_target(url, std::env::var("DIALBASE_PG_CA").ok())?;
    let mut config: tokio_postgres::Config = target
        .url
        .parse()
        .map_err(|e| invalid(format!("invalid PostgreSQL URL: {e}")))?;
    if target.mode == TlsMode::Plain {
        config.ssl_mode(SslMode::Disable);
        return Ok(Manager::from_config(config, NoTls, manager_config));
    }
    config.ssl_mode(if target.mode == TlsMode::Prefer {
        SslMode::Prefer
    } else {
        SslMode::Require
    });
    let tls = MakeRustlsConnect::new(client_config(target.mode, target.ca_file.as_deref())?);
    Ok(Manager::from_config(config, tls, manager_config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_are_taken_off_the_url() {
        let plain = parse_target("postgres://u@db/x", None).unwrap();
        assert_eq!((plain.url.as_str(), plain.mode), ("postgres://u@db/x", TlsMode::Plain));
        let full = parse_target(
            "postgres://u@db/x?application_name=a&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem",
            None,
        )
        .unwrap();
        assert_eq!(full.url, "postgres://u@db/x?application_name=a");
        assert_eq!(full.mode, TlsMode::VerifyFull);
        assert_eq!(full.ca_file.as_deref(), Some("/etc/ca.pem"));
        let require = parse_target("postgres://u@db/x?sslmode=require", None).unwrap();
        assert_eq!(
            (require.url.as_str(), require.mode),
            ("postgres://u@db/x", TlsMode::Require)
        );
        let with_ca = parse_target("postgres://u@db/x?sslmode=require", Some("/ca.pem".into())).unwrap();
        assert_eq!(
            with_ca.mode,
            TlsMode::VerifyCa,
            "a CA makes require check it, as libpq does"
        );
        assert!(parse_target("postgres://u@db/x?sslmode=sometimes", None).is_err());
    }

    #[test]
    fn a_missing_ca_file_is_an_error_not_a_silent_fallback() {
        let error = client_config(TlsMode::VerifyFull, Some("/nonexistent/ca.pem")).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/ca.pem"), "{error}");
    }
}
