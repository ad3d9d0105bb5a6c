//! The control catalogue (`policies/controls.yaml`): per framework, every control id a rule may
//! name in `custom.controls`, with its title and where that title was checked. Reports take
//! titles from here; rules stay the one source of the mapping.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::source::SourceFile;
use crate::yaml::{self, Limits};

/// The built-in catalogue, embedded like the built-in pack.
pub const BUILTIN: &str = include_str!("../policies/controls.yaml");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    pub title: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub name: String,
    /// How a mapping to this framework is worded: `supports` for the EU AI Act, which binds
    /// high-risk systems only; `evidences` otherwise.
    pub label: String,
    pub controls: BTreeMap<String, Control>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalogue {
    /// By framework key (`soc2`, `iso27001`, `nist-800-53`, …).
    pub frameworks: BTreeMap<String, Framework>,
}

impl Catalogue {
    pub fn builtin() -> Catalogue {
        Catalogue::parse(BUILTIN).expect("the built-in control catalogue is valid")
    }

    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let source = SourceFile::new(
            PathBuf::from("policies/controls.yaml"),
            "policies/controls.yaml".into(),
            text,
        );
        let documents = yaml::parse(&source, Limits::default()).map_err(|e| e.message)?;
        let value = documents
            .into_iter()
            .next()
            .map(|d| d.value)
            .ok_or("the catalogue is empty")?;
        let str_at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        let mut frameworks = BTreeMap::new();
        let Some(items) = value.get("frameworks").and_then(Value::as_object) else {
            return Err("the catalogue has no `frameworks` mapping".into());
        };
        for (key, framework) in items {
            let mut controls = BTreeMap::new();
            for (id, control) in framework
                .get("controls")
                .and_then(Value::as_object)
                .ok_or_else(|| format!("{key} has no `controls`"))?
            {
                let title =
                    str_at(control, "title").ok_or_else(|| format!("{key}:{id} has no title"))?;
                let source =
                    str_at(control, "source").ok_or_else(|| format!("{key}:{id} has no source"))?;
                controls.insert(id.clone(), Control { title, source });
            }
            frameworks.insert(
                key.clone(),
                Framework {
                    name: str_at(framework, "name").ok_or_else(|| format!("{key} has no name"))?,
                    label: str_at(framework, "label").unwrap_or_else(|| "evidences".into()),
                    controls,
                },
            );
        }
        Ok(Catalogue { frameworks })
    }

    /// The entry for a `framework:id` string as rules write it.
    pub fn get(&self, qualified: &str) -> Option<(&Framework, &Control)> {
        let (framework, id) = qualified.split_once(':')?;
        let framework = self.frameworks.get(framework)?;
        Some((framework, framework.controls.get(id)?))
    }
}
