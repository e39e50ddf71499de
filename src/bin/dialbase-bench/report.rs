//! One table of figures, printed and written as JSON for comparison across commits.

use serde_json::{Value, json};

pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// The target and whether higher values are better.
    pub target: Option<(f64, bool)>,
}

impl Figure {
    pub fn info(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            target: None,
        }
    }

    pub fn at_least(name: impl Into<String>, value: f64, unit: &'static str, target: f64) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            target: Some((target, true)),
        }
    }

    pub fn at_most(name: impl Into<String>, value: f64, unit: &'static str, target: f64) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            target: Some((target, false)),
        }
    }

    /// How far past the target: above 1.0 meets it, whichever direction is better.
    fn ratio(&self) -> Option<f64> {
        self.target.map(|(t, higher)| {
            if higher {
                self.value / t
            } else {
                t / self.value.max(f64::MIN_POSITIVE)
            }
        })
    }
}

pub fn print_table(figures: &[Figure]) {
    println!(
        "{:<52} {:>14} {:<8} {:>12} {:>7}",
        "figure", "value", "unit", "target", "ratio"
    );
    for f in figures {
        let target = f.target.map_or("-".to_string(), |(t, higher)| {
            // A target worked out in the run (half of another figure) is shown rounded.
            let t = if t.fract() == 0.0 {
                t.to_string()
            } else {
                format!("{t:.1}")
            };
            format!("{}{}", if higher { ">=" } else { "<=" }, t)
        });
        let ratio = f.ratio().map_or("-".to_string(), |r| format!("{r:.2}"));
        println!(
            "{:<52} {:>14.2} {:<8} {:>12} {:>7}",
            f.name, f.value, f.unit, target, ratio
        );
    }
}

pub fn to_json(figures: &[Figure], context: Value) -> Value {
    let rows: Vec<Value> = figures
        .iter()
        .map(|f| {
            json!({"figure": f.name, "value": f.value, "unit": f.unit,
                   "target": f.target.map(|(t, _)| t), "higher_is_better": f.target.map(|(_, h)| h), "ratio": f.ratio()})
        })
        .collect();
    json!({"context": context, "figures": rows})
}
