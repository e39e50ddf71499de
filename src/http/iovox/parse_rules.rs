//! Parsing of Rules::createRuleTemplates' payload:
//!
//! ```text
//! <request>
//!   <rule_template>
//!     <rule_template_name>Office hours</rule_template_name>
//!     <rule><contact_id>333</contact_id><detail>business_phone</detail></rule>
//!     <link><link_id>L1</link_id></link>
//!     <link><link_id>L2</link_id><contact_id>444</contact_id><detail>mobile_phone</detail></link>
//!   </rule_template>
//! </request>
//! ```

use super::parse::{close_request, open_request};
use super::xml_reader::{Node, XmlReader};
use crate::domain::iovox::{IovoxError, LinkInput, RuleTargetInput, RuleTemplateInput};

/// Same document rules and errors as the contacts payload; "Request Empty"
/// when no `<rule_template>` is sent.
pub fn parse_rule_templates_request(body: &[u8]) -> Result<Vec<RuleTemplateInput>, IovoxError> {
    const MAX_DEPTH: usize = 16;
    let mut xml = open_request(body, MAX_DEPTH)?;
    let mut templates = Vec::new();
    loop {
        match xml.next()? {
            Node::Open(name) if name == "rule_template" => templates.push(template(&mut xml)?),
            Node::Open(_) => xml.skip_element()?,
            Node::Text(_) => {}
            Node::Close | Node::Eof => break,
        }
    }
    close_request(xml)?;
    if templates.is_empty() {
        return Err(IovoxError::request_empty());
    }
    Ok(templates)
}

fn template(xml: &mut XmlReader<'_>) -> Result<RuleTemplateInput, IovoxError> {
    let mut template = RuleTemplateInput::default();
    loop {
        match xml.next()? {
            Node::Open(name) => match name.as_str() {
                "rule_template_name" => xml.text_once(&name, &mut template.name)?,
                "rule" => {
                    let (_, target) = target(xml, false)?;
                    template.rules.push(target.unwrap_or_default());
                }
                "link" => {
                    let (link_id, target) = target(xml, true)?;
                    template.links.push(LinkInput { link_id, target });
                }
                _ => xml.skip_element()?,
            },
            Node::Text(_) => {}
            Node::Close | Node::Eof => return Ok(template),
        }
    }
}

/// The children of a `<rule>` or `<link>`: its link_id (links only) and the
/// contact detail, `None` when neither contact_id nor detail is sent.
fn target(xml: &mut XmlReader<'_>, link: bool) -> Result<(Option<String>, Option<RuleTargetInput>), IovoxError> {
    let (mut link_id, mut target) = (None, RuleTargetInput::default());
    loop {
        match xml.next()? {
            Node::Open(name) => match name.as_str() {
                "link_id" if link => xml.text_once(&name, &mut link_id)?,
                "contact_id" => xml.text_once(&name, &mut target.contact_id)?,
                "detail" => xml.text_once(&name, &mut target.detail)?,
                _ => xml.skip_element()?,
            },
            Node::Text(_) => {}
            Node::Close | Node::Eof => break,
        }
    }
    let sent = target.contact_id.is_some() || target.detail.is_some();
    Ok((link_id, sent.then_some(target)))
}
