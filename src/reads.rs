//! `custom.reads`: the read set a custom rule pack declares, and its verification, which decide
//! whether `check` may serve the pack's verdicts from the result cache ([`crate::cache`]).
//!
//! The cache key covers the manifest (`input`), `data.agentgate.settings`, the judged agent's own
//! facts and the loaded packs' code. A pack is cacheable only when every `data.` reference of
//! its modules stays inside that: settings, `data.agentgate.facts[input.metadata.name]` written
//! exactly so, and packages of loaded packs whose own modules read nothing else; and when each
//! reference outside the pack's own packages lies within a path its `custom.reads` declares.
//! The modules are read with regorus's own lexer, so comments and strings are never mistaken for
//! references; anything the scan cannot vouch for (a dynamic `data[x]`, `data` as a whole,
//! `with`, a clock or random builtin, an `input` that a function parameter, `some` or `every`
//! may rebind) makes the pack uncacheable. On any doubt, the manifest is evaluated.

use std::collections::{BTreeMap, BTreeSet};

use regorus::unstable::{Lexer, Parser, Rule, RuleHead, Source, Token, TokenKind};

/// The judged agent's own facts, the one form of `data.agentgate.facts` a cached pack may read.
pub const OWN_FACTS: &str = "data.agentgate.facts[input.metadata.name]";

/// Builtins whose result is not a function of the key: the clock, randomness, the environment,
/// the network.
const UNCACHEABLE_BUILTINS: &[&str] = &[
    "rand.",
    "time.now_ns",
    "opa.runtime",
    "http.send",
    "uuid.rfc4122",
    "net.lookup_ip_addr",
    "io.jwt.decode_verify",
];

/// A step of a reference after `data`: `.name`, or `[…]` (its tokens' text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Name(String),
    Index(Vec<String>),
}

/// What a reference reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Under `data.agentgate.settings`.
    Settings,
    /// `data.agentgate.facts[input.metadata.name]`, or below it.
    OwnFacts,
    /// A static path outside agentgate's documents: code of a loaded pack (its names up to the
    /// first `[…]`).
    Package(Vec<String>),
    /// Never cacheable, and why (a clause that follows the file and line: "reads data.x, …").
    Never(String),
}

/// One thing a module reads: a `data` reference (or a construct that makes reads unknowable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub line: usize,
    pub segments: Vec<Segment>,
    /// As written (without spaces), for notes.
    pub text: String,
    pub kind: Kind,
}

fn tokens(path: &str, source: &str) -> Result<(Source, Vec<Token>), String> {
    let source =
        Source::from_contents(path.to_string(), source.to_string()).map_err(|e| e.to_string())?;
    let mut lexer = Lexer::new(&source);
    let mut found = Vec::new();
    loop {
        let token = lexer.next_token().map_err(|e| e.to_string())?;
        if token.0 == TokenKind::Eof {
            break;
        }
        found.push(token);
    }
    Ok((source, found))
}

fn is(token: Option<&Token>, kind: TokenKind, text: &str) -> bool {
    token.is_some_and(|t| t.0 == kind && t.1.text() == text)
}

/// Whether `next` starts right where `previous` ends (a reference has no spaces: with one, the
/// scan reads two references, the first of them whole).
fn adjacent(previous: &Token, next: Option<&Token>) -> bool {
    next.is_some_and(|n| n.1.start == previous.1.end)
}

/// The spans of `input` that may not be the manifest: a function's parameter, a variable of
/// `some` or `every`. `None` when the module does not parse (then nothing is vouched for).
fn input_rebound(source: &Source, tokens: &[Token]) -> bool {
    let parsed = Parser::new(source).and_then(|mut p| {
        p.enable_rego_v1()?;
        p.parse()
    });
    let Ok(module) = parsed else {
        return true;
    };
    let mut parameters: Vec<(u32, u32)> = Vec::new();
    for rule in &module.policy {
        let args = match &**rule {
            Rule::Spec {
                head: RuleHead::Func { args, .. },
                ..
            } => args,
            Rule::Default { args, .. } => args,
            _ => continue,
        };
        parameters.extend(args.iter().map(|a| (a.span().start, a.span().end)));
    }
    tokens.iter().enumerate().any(|(i, t)| {
        if t.0 != TokenKind::Ident || t.1.text() != "input" {
            return false;
        }
        if parameters
            .iter()
            .any(|&(s, e)| t.1.start >= s && t.1.end <= e)
        {
            return true;
        }
        // Back over `a, b, ` to the keyword that declares them.
        let mut j = i;
        loop {
            let Some(before) = j.checked_sub(1).and_then(|k| tokens.get(k)) else {
                return false;
            };
            if is(Some(before), TokenKind::Ident, "some")
                || is(Some(before), TokenKind::Ident, "every")
            {
                return true;
            }
            if !is(Some(before), TokenKind::Symbol, ",") {
                return false;
            }
            match j.checked_sub(2).and_then(|k| tokens.get(k)) {
                Some(var) if var.0 == TokenKind::Ident => j -= 2,
                _ => return false,
            }
        }
    })
}

/// Every `data` reference of a Rego module, and every construct that makes its reads unknowable,
/// in source order. A module the lexer refuses yields one [`Kind::Never`].
pub fn scan(path: &str, source: &str) -> Vec<Reference> {
    scan_as(path, source, true)
}

/// [`scan`]; `module` false for a `custom.reads` entry, which is a reference, not a module
/// (nothing in it can rebind `input`).
fn scan_as(path: &str, source: &str, module: bool) -> Vec<Reference> {
    let (parsed, tokens) = match tokens(path, source) {
        Ok(found) => found,
        Err(error) => {
            return vec![Reference {
                line: 1,
                segments: Vec::new(),
                text: String::new(),
                kind: Kind::Never(format!(
                    "cannot be scanned ({})",
                    error.lines().last().unwrap_or_default()
                )),
            }]
        }
    };
    let rebound = module && input_rebound(&parsed, &tokens);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.0 != TokenKind::Ident {
            continue;
        }
        // `x.data`, `x.with`: a field, not a keyword or a root.
        let after_dot = i
            .checked_sub(1)
            .is_some_and(|k| is(tokens.get(k), TokenKind::Symbol, "."));
        if after_dot {
            continue;
        }
        let line = token.1.line as usize;
        let word = token.1.text();
        if word == "with" {
            found.push(Reference {
                line,
                segments: Vec::new(),
                text: "with".into(),
                kind: Kind::Never("uses `with`, which changes what the rules it calls read".into()),
            });
            continue;
        }
        if word != "data" {
            let mut name = word.to_string();
            let mut j = i;
            while is(tokens.get(j + 1), TokenKind::Symbol, ".")
                && tokens.get(j + 2).is_some_and(|t| t.0 == TokenKind::Ident)
            {
                name.push('.');
                name.push_str(tokens[j + 2].1.text());
                j += 2;
            }
            if let Some(builtin) = UNCACHEABLE_BUILTINS
                .iter()
                .find(|b| name.starts_with(*b) && name.contains('.'))
            {
                found.push(Reference {
                    line,
                    segments: Vec::new(),
                    text: name.clone(),
                    kind: Kind::Never(format!(
                        "calls {}, whose result is not a function of the manifest",
                        builtin.trim_end_matches('.')
                    )),
                });
            }
            continue;
        }
        let (segments, text) = chain(&tokens, i);
        let kind = match classify(&segments, rebound) {
            Kind::Never(why) => Kind::Never(format!("reads {text}, {why}")),
            kind => kind,
        };
        found.push(Reference {
            line,
            segments,
            text,
            kind,
        });
    }
    found
}

/// The steps after the `data` token at `start`, and the reference as written.
fn chain(tokens: &[Token], start: usize) -> (Vec<Segment>, String) {
    let mut segments = Vec::new();
    let mut text = String::from("data");
    let mut last = start;
    loop {
        let next = tokens.get(last + 1);
        if is(next, TokenKind::Symbol, ".")
            && adjacent(&tokens[last], next)
            && tokens
                .get(last + 2)
                .is_some_and(|t| t.0 == TokenKind::Ident)
            && adjacent(&tokens[last + 1], tokens.get(last + 2))
        {
            let name = tokens[last + 2].1.text().to_string();
            text.push('.');
            text.push_str(&name);
            segments.push(Segment::Name(name));
            last += 2;
        } else if is(next, TokenKind::Symbol, "[") && adjacent(&tokens[last], next) {
            let mut depth = 0usize;
            let mut inner = Vec::new();
            let mut j = last + 1;
            while let Some(t) = tokens.get(j) {
                let t_text = t.1.text();
                if t.0 == TokenKind::Symbol && t_text == "[" {
                    depth += 1;
                } else if t.0 == TokenKind::Symbol && t_text == "]" {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                if j > last + 1 {
                    inner.push(match t.0 {
                        TokenKind::String => format!("{t_text:?}"),
                        _ => t_text.to_string(),
                    });
                }
                j += 1;
            }
            text.push('[');
            text.push_str(&inner.join(""));
            text.push(']');
            segments.push(Segment::Index(inner));
            last = j;
            if tokens.get(j).is_none() {
                break;
            }
        } else {
            break;
        }
    }
    (segments, text)
}

fn classify(segments: &[Segment], input_rebound: bool) -> Kind {
    let name = |i: usize| match segments.get(i) {
        Some(Segment::Name(n)) => Some(n.as_str()),
        _ => None,
    };
    let never = |why: &str| Kind::Never(why.to_string());
    match (segments.first(), name(0)) {
        (None, _) => never("all of data, inventory included"),
        (Some(Segment::Index(_)), _) => never("a dynamic reference, which the scan cannot follow"),
        (_, Some("agentgate")) => match (segments.get(1), name(1)) {
            (None, _) => never("all of data.agentgate, inventory included"),
            (Some(Segment::Index(_)), _) => {
                never("a dynamic reference, which the scan cannot follow")
            }
            (_, Some("settings")) => Kind::Settings,
            (_, Some("facts")) => match segments.get(2) {
                Some(Segment::Index(inner))
                    if inner.join("") == "input.metadata.name" && !input_rebound =>
                {
                    Kind::OwnFacts
                }
                Some(Segment::Index(inner)) if inner.join("") == "input.metadata.name" => never(
                    "where `input` may be rebound (a function parameter, `some` or `every` named input), so the facts may be another agent's",
                ),
                _ => never(
                    "which may be another agent's facts: only data.agentgate.facts[input.metadata.name], written so, is the judged agent's own",
                ),
            },
            (_, Some("inventory" | "duplicates")) => {
                never("which holds every agent and which custom.reads cannot declare")
            }
            _ => Kind::Package(static_names(segments)),
        },
        _ => Kind::Package(static_names(segments)),
    }
}

fn static_names(segments: &[Segment]) -> Vec<String> {
    segments
        .iter()
        .map_while(|s| match s {
            Segment::Name(n) => Some(n.clone()),
            Segment::Index(_) => None,
        })
        .collect()
}

/// One `custom.reads` entry: a reference written as Rego would (`data.agentgate.settings`,
/// `data.agentgate.facts[input.metadata.name]`, `data.acme.lib`), and nothing else.
pub fn parse_declared(entry: &str) -> Result<Reference, String> {
    let entry = entry.trim();
    let mut found = scan_as("custom.reads", entry, false);
    let whole = found.len() == 1
        && found[0].text == entry
        && found[0]
            .segments
            .iter()
            .all(|s| matches!(s, Segment::Name(_)) || found[0].kind == Kind::OwnFacts);
    match found.pop() {
        Some(reference) if whole => Ok(reference),
        _ => Err(format!(
            "custom.reads entry {entry:?} is not a data path: write it as Rego refers to it, with dots (data.agentgate.settings, {OWN_FACTS}, data.acme.lib)"
        )),
    }
}

/// Whether a pack's verdicts may be cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackReads {
    /// The built-in pack: its read set is what the cache key covers, by design.
    Builtin,
    /// A custom pack without `custom.reads`: never cached, silently.
    Undeclared,
    /// A custom pack whose declared read set was verified.
    Verified,
    /// A custom pack that declares `custom.reads` but is not cached: where (the module as loaded,
    /// and the line) and why ("reads data.x, …").
    Refused {
        file: String,
        line: usize,
        why: String,
    },
}

impl PackReads {
    pub fn cacheable(&self) -> bool {
        matches!(self, PackReads::Builtin | PackReads::Verified)
    }
}

/// A module as the verification sees it.
pub struct ScannedModule<'a> {
    /// Which loaded pack it belongs to.
    pub pack: usize,
    pub path: &'a str,
    pub package: &'a str,
    pub references: Vec<Reference>,
}

/// The packages a static path touches: those it lies in, and those below it.
fn touched<'p>(names: &[String], packages: &'p BTreeMap<Vec<String>, usize>) -> Vec<&'p [String]> {
    packages
        .keys()
        .filter(|p| p.starts_with(names) || names.starts_with(p))
        .map(Vec::as_slice)
        .collect()
}

/// Verifies every custom pack: `declared[pack]` is its `custom.reads` (with the file and line of
/// the declaration), `None` when it declares none. `modules` are the evaluated (non-test)
/// modules of every loaded pack, built-in included.
pub fn verify(
    modules: &[ScannedModule<'_>],
    declared: &[Option<(String, usize, Vec<Reference>)>],
) -> Vec<PackReads> {
    let split = |p: &str| -> Vec<String> { p.split('.').map(str::to_string).collect() };
    let packages: BTreeMap<Vec<String>, usize> =
        modules.iter().map(|m| (split(m.package), m.pack)).collect();
    // A package is clean when its modules read only settings, the judged agent's facts and clean
    // packages (the greatest fixed point: Rego refuses recursion anyway).
    let mut dirty: BTreeSet<Vec<String>> = BTreeSet::new();
    loop {
        let before = dirty.len();
        for module in modules {
            let package = split(module.package);
            if dirty.contains(&package) {
                continue;
            }
            let reads_outside = module.references.iter().any(|r| match &r.kind {
                Kind::Settings | Kind::OwnFacts => false,
                Kind::Never(_) => true,
                Kind::Package(names) => {
                    let found = touched(names, &packages);
                    found.is_empty() || found.iter().any(|p| dirty.contains(*p))
                }
            });
            if reads_outside {
                dirty.insert(package);
            }
        }
        if dirty.len() == before {
            break;
        }
    }
    declared
        .iter()
        .enumerate()
        .map(|(pack, declaration)| {
            if pack == 0 {
                return PackReads::Builtin;
            }
            let Some((file, line, reads)) = declaration else {
                return PackReads::Undeclared;
            };
            for read in reads {
                if let Kind::Never(why) = &read.kind {
                    let why = why
                        .strip_prefix(&format!("reads {}, ", read.text))
                        .unwrap_or(why);
                    return PackReads::Refused {
                        file: file.clone(),
                        line: *line,
                        why: format!("custom.reads declares {}, {why}", read.text),
                    };
                }
            }
            let covered = |r: &Reference| reads.iter().any(|d| r.segments.starts_with(&d.segments));
            for module in modules.iter().filter(|m| m.pack == pack) {
                for r in &module.references {
                    let problem = match &r.kind {
                        Kind::Never(why) => Some(why.clone()),
                        Kind::Package(names) => {
                            let found = touched(names, &packages);
                            if found.is_empty() {
                                Some(format!("reads {}, which no loaded pack defines", r.text))
                            } else if found.iter().all(|p| packages.get(*p) == Some(&pack)) {
                                None
                            } else if !covered(r) {
                                Some(format!("reads {}, not declared in custom.reads", r.text))
                            } else {
                                found.iter().find(|p| dirty.contains(**p)).map(|p| {
                                    format!(
                                        "reads {}, and package {} reads data outside what the cache key covers",
                                        r.text,
                                        p.join(".")
                                    )
                                })
                            }
                        }
                        Kind::Settings | Kind::OwnFacts => (!covered(r)).then(|| {
                            format!("reads {}, not declared in custom.reads", r.text)
                        }),
                    };
                    if let Some(why) = problem {
                        return PackReads::Refused {
                            file: module.path.to_string(),
                            line: r.line,
                            why,
                        };
                    }
                }
            }
            PackReads::Verified
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(String, Kind)> {
        scan("m.rego", source)
            .into_iter()
            .map(|r| (r.text, r.kind))
            .collect()
    }

    fn never(source: &str) -> bool {
        kinds(source)
            .iter()
            .any(|(_, k)| matches!(k, Kind::Never(_)))
    }

    const HEAD: &str = "package acme.x\n\nimport rego.v1\n\n";

    #[test]
    fn reads_the_forms_a_pack_may_use() {
        let found = kinds(&format!(
            "{HEAD}import data.agentgate.lib\nimport data.agentgate.settings as s\n\
             a := data.agentgate.settings.maxTtl\n\
             b := data.agentgate.facts[input.metadata.name].review.verdict\n\
             c := data.acme.helpers.f(1)\n"
        ));
        assert_eq!(
            found,
            vec![
                (
                    "data.agentgate.lib".into(),
                    Kind::Package(vec!["agentgate".into(), "lib".into()])
                ),
                ("data.agentgate.settings".into(), Kind::Settings),
                ("data.agentgate.settings.maxTtl".into(), Kind::Settings),
                (
                    "data.agentgate.facts[input.metadata.name].review.verdict".into(),
                    Kind::OwnFacts
                ),
                (
                    "data.acme.helpers.f".into(),
                    Kind::Package(vec!["acme".into(), "helpers".into(), "f".into()])
                ),
            ]
        );
    }

    #[test]
    fn comments_strings_and_fields_are_not_references() {
        let found = kinds(&format!(
            "{HEAD}# reads data.agentgate.inventory\n\
             a := \"data.agentgate.inventory\"\n\
             b := `data.agentgate.inventory with input as x`\n\
             c := input.data.agentgate.inventory\n\
             d := input.with\n"
        ));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn the_tricky_forms_are_never_cacheable() {
        for source in [
            "a := data.agentgate.inventory[input.metadata.name]",
            "import data.agentgate.inventory as inv",
            "a := data.agentgate.duplicates",
            "import data.agentgate.facts",
            "import data.agentgate.facts as f",
            "import data.agentgate",
            "a := data.agentgate[\"inventory\"]",
            "a := data",
            "a := data[x]",
            "a := data.agentgate.facts[x]",
            "a := data.agentgate.facts[\"other\"]",
            "a := data.agentgate.facts[input.spec.delegation.delegatesTo[0]]",
            "a := data.agentgate.facts [input.metadata.name]",
            "a := data.agentgate.facts\n[input.metadata.name]",
            "a := data.agentgate.lib.facts with input as {}",
            "a := rand.intn(\"x\", 10)",
            "a := time.now_ns()",
            "f(input) := data.agentgate.facts[input.metadata.name]",
            "a := [f | some input in [{}]; f := data.agentgate.facts[input.metadata.name]]",
            "a := [f | some k, input in {}; f := data.agentgate.facts[input.metadata.name]]",
            "a if { every input in [1] { data.agentgate.facts[input.metadata.name] } }",
            "a := data.x[data.agentgate.inventory]",
        ] {
            assert!(never(&format!("{HEAD}{source}\n")), "{source}");
        }
    }

    #[test]
    fn own_facts_stay_own_when_input_is_merely_passed() {
        let found = kinds(&format!(
            "{HEAD}f(x) := object.get(x, \"a\", 1)\n\
             a := f(input)\nb := g(1, input)\n\
             c := data.agentgate.facts[input.metadata.name]\n"
        ));
        assert_eq!(
            found.last().map(|f| &f.1),
            Some(&Kind::OwnFacts),
            "{found:?}"
        );
    }

    #[test]
    fn declared_entries_are_plain_paths() {
        for good in [
            "data.agentgate.settings",
            "data.agentgate.settings.maxTtl",
            OWN_FACTS,
            "data.agentgate.facts[input.metadata.name].review",
            "data.acme.lib",
            "data.agentgate.inventory",
        ] {
            assert!(parse_declared(good).is_ok(), "{good}");
        }
        for bad in [
            "agentgate.settings",
            "data.x[y]",
            "data.agentgate.settings junk",
            "data.a # c",
            "",
            "data.a.",
            "input.x",
        ] {
            assert!(parse_declared(bad).is_err(), "{bad}");
        }
    }
}
