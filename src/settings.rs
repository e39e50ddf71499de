//! Numbers from the environment (`DIALBASE_...`): the default when unset, else a number
//! in its range or an error naming the variable.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

pub fn number<T>(name: &str, default: T, range: RangeInclusive<T>) -> Result<T, String>
where
    T: FromStr + PartialOrd + Display,
{
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => text
            .trim()
            .parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                format!(
                    "{name} must be a number from {} to {}, not {text:?}",
                    range.start(),
                    range.end()
                )
            }),
    }
}
