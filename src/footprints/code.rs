//! Agent frameworks and LLM SDKs in code: imports in Python, TypeScript/JavaScript and Go, and
//! tool definitions, gathered per service folder.

use std::path::Path;
use std::sync::Arc;

use super::{relative, CodeHit, Language};
use crate::source::{SourceFile, Span};

/// The service folder of a code file: the nearest folder above it holding a project file, or
/// its own folder.
pub(super) fn service_folder(root: &Path, path: &Path) -> String {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            break;
        }
        if has_project_file(d) {
            return relative(root, d);
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    relative(root, path.parent().unwrap_or(root))
}

/// Whether a folder holds a project file (`package.json`, `pyproject.toml`, `go.mod`, …).
pub(super) fn has_project_file(dir: &Path) -> bool {
    const MARKERS: [&str; 8] = [
        "package.json",
        "pyproject.toml",
        "requirements.txt",
        "setup.py",
        "Pipfile",
        "go.mod",
        "Dockerfile",
        "deno.json",
    ];
    MARKERS.iter().any(|m| dir.join(m).is_file())
}

/// A framework or SDK recognised in code: the module (Python, Go) or package (TS/JS) prefix
/// and the name shown in findings and in the docs' table.
pub(super) struct Library {
    pub module: &'static str,
    /// The framework's name, as docs/discovery.md's table lists it (a test keeps them equal).
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: &'static str,
}

const fn lib(module: &'static str, name: &'static str) -> Library {
    Library { module, name }
}

/// Python modules (a module matches itself and its submodules; `langchain`, `autogen`,
/// `crewai`, `llama_index`, `haystack` also their `_`-suffixed packages such as
/// `langchain_openai`).
pub(super) const PYTHON_MODULES: &[Library] = &[
    lib("agents", "OpenAI Agents SDK"),
    lib("openai", "OpenAI"),
    lib("anthropic", "Anthropic"),
    lib("claude_agent_sdk", "Claude Agent SDK"),
    lib("langchain", "LangChain"),
    lib("langgraph", "LangGraph"),
    lib("crewai", "CrewAI"),
    lib("autogen", "AutoGen/AG2"),
    lib("ag2", "AutoGen/AG2"),
    lib("llama_index", "LlamaIndex"),
    lib("semantic_kernel", "Semantic Kernel"),
    lib("google.adk", "Google ADK"),
    lib("pydantic_ai", "Pydantic AI"),
    lib("smolagents", "smolagents"),
    lib("agno", "Agno"),
    lib("phi", "Agno"),
    lib("strands", "Strands Agents"),
    lib("dspy", "DSPy"),
    lib("haystack", "Haystack"),
    lib("beeai_framework", "BeeAI"),
    lib("marvin", "Marvin"),
    lib("azure.ai.agents", "Azure AI Foundry"),
    lib("azure.ai.projects", "Azure AI Foundry"),
    lib("azure.ai.inference", "Azure AI Foundry"),
    lib("google.genai", "Google GenAI"),
    lib("google.generativeai", "Google GenAI"),
    lib("vertexai", "Google GenAI"),
    lib("mistralai", "Mistral"),
    lib("cohere", "Cohere"),
    lib("litellm", "LiteLLM"),
    lib("ollama", "Ollama"),
    lib("groq", "Groq"),
    lib("agent_framework", "Microsoft Agent Framework"),
    lib("zhipuai", "Zhipu AI"),
    lib("mcp", "MCP SDK"),
    lib("fastmcp", "MCP SDK"),
];

/// Prefixes of Python modules whose `_`-suffixed packages belong to the same framework.
const PYTHON_FAMILIES: [&str; 5] = ["langchain", "autogen", "crewai", "llama_index", "haystack"];

/// TS/JS packages (a name ending in `/` is a scope: every package in it).
pub(super) const SCRIPT_PACKAGES: &[Library] = &[
    lib("@openai/agents", "OpenAI Agents SDK"),
    lib("openai", "OpenAI"),
    lib("@anthropic-ai/sdk", "Anthropic"),
    lib("@anthropic-ai/claude-agent-sdk", "Claude Agent SDK"),
    lib("@anthropic-ai/claude-code", "Claude Agent SDK"),
    lib("langchain", "LangChain"),
    lib("@langchain/", "LangChain"),
    lib("ai", "Vercel AI SDK"),
    lib("@ai-sdk/", "Vercel AI SDK"),
    lib("@mastra/", "Mastra"),
    lib("llamaindex", "LlamaIndex"),
    lib("@llamaindex/", "LlamaIndex"),
    lib("genkit", "Genkit"),
    lib("@genkit-ai/", "Genkit"),
    lib("@google/genai", "Google GenAI"),
    lib("@google/generative-ai", "Google GenAI"),
    lib("@google/adk", "Google ADK"),
    lib("@mistralai/mistralai", "Mistral"),
    lib("cohere-ai", "Cohere"),
    lib("groq-sdk", "Groq"),
    lib("ollama", "Ollama"),
    lib("@aws-sdk/client-bedrock-agent-runtime", "AWS Bedrock"),
    lib("@aws-sdk/client-bedrock-runtime", "AWS Bedrock"),
    lib("@aws-sdk/client-bedrock-agent", "AWS Bedrock"),
    lib("@azure/ai-agents", "Azure AI Foundry"),
    lib("@azure/ai-projects", "Azure AI Foundry"),
    lib("@azure/openai", "Azure AI Foundry"),
    lib("beeai-framework", "BeeAI"),
    lib("@strands-agents/", "Strands Agents"),
    lib("@mariozechner/pi-ai", "pi-ai"),
    lib("@mariozechner/pi-agent-core", "pi-ai"),
    lib("@modelcontextprotocol/sdk", "MCP SDK"),
    lib("fastmcp", "MCP SDK"),
];

/// Go modules.
pub(super) const GO_MODULES: &[Library] = &[
    lib("github.com/sashabaranov/go-openai", "OpenAI"),
    lib("github.com/openai/openai-go", "OpenAI"),
    lib("github.com/anthropics/anthropic-sdk-go", "Anthropic"),
    lib("github.com/tmc/langchaingo", "LangChain"),
    lib("github.com/mark3labs/mcp-go", "MCP SDK"),
    lib("github.com/modelcontextprotocol/go-sdk", "MCP SDK"),
    lib("github.com/cloudwego/eino", "Eino"),
    lib("google.golang.org/genai", "Google GenAI"),
    lib("github.com/google/generative-ai-go", "Google GenAI"),
    lib("google.golang.org/adk", "Google ADK"),
    lib("github.com/firebase/genkit/go", "Genkit"),
    lib(
        "github.com/aws/aws-sdk-go-v2/service/bedrockagentruntime",
        "AWS Bedrock",
    ),
    lib(
        "github.com/aws/aws-sdk-go-v2/service/bedrockruntime",
        "AWS Bedrock",
    ),
    lib("github.com/ollama/ollama/api", "Ollama"),
    lib("github.com/cohere-ai/cohere-go", "Cohere"),
];

/// The libraries an import line brings in (`import os, openai` brings one; `from agents
/// import Agent` the OpenAI Agents SDK, unless `local_agents` says `agents` is the project's
/// own package).
pub(super) fn python_libraries(line: &str, local_agents: bool) -> Vec<&'static str> {
    let modules: Vec<&str> = if let Some(rest) = line.strip_prefix("from ") {
        rest.split_whitespace().next().into_iter().collect()
    } else if let Some(rest) = line.strip_prefix("import ") {
        // `import a, b as c`: every module named, up to a comment.
        let rest = rest.split('#').next().unwrap_or_default();
        rest.split(',')
            .filter_map(|part| part.split_whitespace().next())
            .collect()
    } else {
        Vec::new()
    };
    let mut found = Vec::new();
    for module in modules {
        let module = module.trim_end_matches(['(', ';']);
        if module.starts_with('.') {
            continue; // relative: the project's own code
        }
        let hit = PYTHON_MODULES.iter().find(|m| {
            module == m.module
                || module.starts_with(&format!("{}.", m.module))
                || (PYTHON_FAMILIES.contains(&m.module)
                    && module.starts_with(m.module)
                    && module[m.module.len()..].starts_with('_'))
        });
        if let Some(m) = hit {
            if m.module == "agents" && local_agents {
                continue;
            }
            // Shown as imported; `agents` alone would not say which.
            let shown = if m.module == "agents" {
                "agents (OpenAI Agents SDK)"
            } else {
                m.module
            };
            if !found.contains(&shown) {
                found.push(shown);
            }
        }
    }
    found
}

/// The module specifier of an import or require on a TS/JS line.
pub(super) fn script_specifier(line: &str) -> Option<&str> {
    // A type-only import is erased when TypeScript compiles: the package is never loaded.
    if is_type_only(line) {
        return None;
    }
    let starts = line.starts_with("import ")
        || line.starts_with("import{")
        || line.starts_with("export ")
        || line.contains("require(")
        || line.contains("import(")
        || line.starts_with("} from ")
        || line.starts_with("from ");
    if !starts {
        return None;
    }
    let key = ["from ", "require(", "import(", "import "]
        .iter()
        .filter_map(|k| line.rfind(k).map(|i| i + k.len()))
        .max()?;
    let rest = line[key..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let inner = &rest[1..];
    inner.find(quote).map(|end| &inner[..end])
}

/// `import type { X } from "…"`, `import type X from "…"`, `export type * from "…"`: but not
/// `import type from "…"` nor `import type = require("…")` (a default import, an import-equals,
/// whose binding is named `type`), nor `import typeorm …`.
fn is_type_only(statement: &str) -> bool {
    // A comment between the words is no word (`import type /* c */ from "x"`).
    let statement = without_block_comments(statement);
    let statement = statement.as_str();
    let Some(rest) = ["import type", "export type"]
        .iter()
        .find_map(|p| statement.strip_prefix(p))
    else {
        return false;
    };
    if !rest.starts_with([' ', '\t', '{', '*']) {
        return false;
    }
    let rest = rest.trim_start();
    if rest.starts_with(['=', ',']) {
        return false;
    }
    match rest.strip_prefix("from") {
        Some(after) => {
            let after = after.trim_start();
            !(after.is_empty() || after.starts_with(['"', '\'', '`']))
        }
        None => true,
    }
}

/// A statement with its complete `/* … */` comments removed (each read as a space).
fn without_block_comments(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len());
    let mut rest = statement;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => {
                out.push(' ');
                rest = &rest[start + 2 + end + 2..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn script_library(line: &str) -> Option<String> {
    let specifier = script_specifier(line)?;
    let specifier = specifier.strip_prefix("npm:").unwrap_or(specifier);
    SCRIPT_PACKAGES
        .iter()
        .find(|p| {
            if p.module.ends_with('/') {
                specifier.starts_with(p.module)
            } else {
                specifier == p.module || specifier.starts_with(&format!("{}/", p.module))
            }
        })
        .map(|p| {
            if p.module.ends_with('/') {
                specifier.split('/').take(2).collect::<Vec<_>>().join("/")
            } else {
                p.module.to_string()
            }
        })
}

pub(super) fn go_library(line: &str, in_block: bool) -> Option<&'static str> {
    let rest = if let Some(r) = line.strip_prefix("import ") {
        r.trim()
    } else if in_block {
        line
    } else {
        return None;
    };
    // An interpreted ("…") or raw (`…`) string: Go accepts both as an import path.
    let start = rest.find(['"', '`'])?;
    let quote = rest[start..].chars().next()?;
    if rest[..start].contains("//") {
        return None;
    }
    let inner = &rest[start + 1..];
    let path = &inner[..inner.find(quote)?];
    GO_MODULES
        .iter()
        .find(|m| path == m.module || path.starts_with(&format!("{}/", m.module)))
        .map(|m| m.module)
}

/// A line without the block comments that open it (`/* x */ import …`) in languages that
/// have them.
fn without_leading_block_comments(line: &str, language: Language) -> &str {
    if !matches!(language, Language::Script | Language::Go) {
        return line;
    }
    let mut rest = line;
    while let Some(after) = rest.strip_prefix("/*") {
        match after.find("*/") {
            Some(end) => rest = after[end + 2..].trim_start(),
            None => return "",
        }
    }
    rest
}

/// A line split at each `;` that is outside a string (a quote before it is closed), so that
/// `import os; import anthropic` is two statements and `x = "a; import b"` one.
fn statements(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if c == ';' => {
                out.push(line[start..i].trim());
                start = i + 1;
            }
            None if c == '#' || line[i..].starts_with("//") => break,
            None => {}
        }
    }
    out.push(line[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// A TS/JS statement spaced as the detector reads it: `from"x"` as `from "x"`,
/// `require ("x")` as `require("x")`.
fn script_spacing(statement: &str) -> String {
    static FIXES: std::sync::OnceLock<Option<(regex::Regex, regex::Regex)>> =
        std::sync::OnceLock::new();
    let Some((quote, paren)) = FIXES.get_or_init(|| {
        Some((
            regex::Regex::new(r#"\b(from|import)(["'`])"#).ok()?,
            regex::Regex::new(r"\b(require|import) \(").ok()?,
        ))
    }) else {
        return statement.to_string();
    };
    let spaced = quote.replace_all(statement, "$1 $2");
    paren.replace_all(&spaced, "$1(").into_owned()
}

/// Whether `agents` names the project's own package for a Python file: an `agents/` folder or
/// an `agents.py` beside it or in a folder above it (up to the repository root), which Python
/// imports before an installed OpenAI Agents SDK.
pub(super) fn local_agents_package(root: &Path, path: &Path) -> bool {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            break;
        }
        if d.join("agents").is_dir() || d.join("agents.py").is_file() {
            return true;
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    false
}

/// A file of tests by its path: under `tests/`, `test/`, `__tests__/`, `spec/`, `testing/`
/// or named as test runners find them (`test_x.py`, `x_test.py`, `x.test.ts`, `x_test.go`,
/// `conftest.py`).
pub(super) fn is_test_path(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let (dirs, file) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let in_tests = dirs.split('/').any(|d| {
        matches!(
            d,
            "tests" | "test" | "__tests__" | "__mocks__" | "spec" | "testing" | "e2e"
        ) || d.ends_with("_tests")
            || d.ends_with("-tests")
    });
    let stem = file.split('.').next().unwrap_or_default();
    in_tests
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || file == "conftest.py"
        || [".test.", ".spec."].iter().any(|m| file.contains(m))
}

/// Whether code imports from a test folder (`from tests.agent import …`,
/// `require('../test/agent')`): then what sits there is used, not only tested.
pub(super) fn imports_test_code(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let python = [
            "from tests.",
            "from test.",
            "import tests.",
            "import test.",
            "from tests import",
            "from test import",
        ]
        .iter()
        .any(|p| line.starts_with(p));
        let script = (line.starts_with("import ")
            || line.contains("require(")
            || line.starts_with("} from "))
            && ["/test/", "/tests/", "/__tests__/", "/testing/", "/spec/"]
                .iter()
                .any(|d| line.contains(d));
        python || script
    })
}

pub(super) const TOOL_MARKERS: [&str; 19] = [
    "@tool",
    // Pydantic AI: `@agent.tool_plain` (and `@agent.tool`, below).
    ".tool_plain",
    "@function_tool",
    ".tool(",
    "@kernel_function",
    "StructuredTool",
    "BaseTool",
    "FunctionTool",
    "Tool(",
    "tool({",
    "registerTool(",
    "DynamicStructuredTool",
    "\"type\": \"function\"",
    "type: \"function\"",
    "type: 'function'",
    "mcp.NewTool(",
    "FunctionDefinition",
    "bind_tools(",
    "@server.call_tool",
];

pub(super) fn scan_code(
    source: &Arc<SourceFile>,
    rel: &str,
    language: Language,
    local_agents: bool,
) -> Option<CodeHit> {
    let mut first: Option<(usize, Span)> = None;
    let mut libraries: Vec<String> = Vec::new();
    let mut tools = 0;
    let mut tool_names: Vec<String> = Vec::new();
    // A decorator (`@tool`) names the function defined after it.
    let mut pending_tool = false;
    let mut offset = 0;
    let mut in_go_block = false;
    let mut script_from_pending = false;
    // Inside a type-only import spread over lines (`import type {` … `} from "x"`).
    let mut script_type_block = false;
    for raw in source.text.split_inclusive('\n') {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        // What the interpreters accept and a line-prefix match would miss: any whitespace
        // between words, `;` between statements, a leading block comment, a specifier after
        // `from` on the next line. Strings stay strings: a `;` inside quotes splits nothing.
        let code = without_leading_block_comments(trimmed, language);
        let statements: Vec<String> = statements(code)
            .into_iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let found: Vec<String> = match language {
            Language::Python | Language::Notebook => statements
                .iter()
                .flat_map(|s| python_libraries(s, local_agents))
                .map(str::to_string)
                .collect(),
            Language::Script => {
                let continued = std::mem::take(&mut script_from_pending);
                let found: Vec<String> = statements
                    .iter()
                    .filter_map(|s| {
                        let s = script_spacing(s);
                        let quoted = s.contains(['"', '\'', '`']);
                        if is_type_only(&s) {
                            // Its specifier follows on a later line: a list of names left
                            // open (`import type {`), or `from` at the end. Not a type alias
                            // (`export type X = {`) nor a complete list (`export type { A };`),
                            // which import nothing.
                            let open_list = s.contains('{') && !s.contains('}');
                            script_type_block =
                                !quoted && !s.contains('=') && (open_list || s.ends_with(" from"));
                            return None;
                        }
                        if s.starts_with("import") || s.starts_with("export") {
                            script_type_block = false;
                        }
                        // The end of a type-only import, and nothing else: `} from "x"`,
                        // `from "x"`, or `} from` and then `"x"` on the next line.
                        let closing = s
                            .strip_prefix('}')
                            .unwrap_or(&s)
                            .trim_start()
                            .starts_with("from");
                        if script_type_block
                            && (closing || (continued && s.starts_with(['"', '\'', '`'])))
                        {
                            script_type_block = !quoted;
                            return None;
                        }
                        if continued && s.starts_with(['"', '\'', '`']) {
                            script_library(&format!("from {s}"))
                        } else {
                            script_library(&s)
                        }
                    })
                    .collect();
                // `import OpenAI from` with the specifier on the next line.
                script_from_pending = statements.last().is_some_and(|s| {
                    (s.starts_with("import ") || s.starts_with("export ") || s.starts_with('}'))
                        && (s.ends_with(" from") || s == "from")
                });
                found
            }
            Language::Go => {
                let go = statements.first().map(String::as_str).unwrap_or_default();
                if go.starts_with("import (") || go == "import(" || go.starts_with("import( ") {
                    in_go_block = true;
                    Vec::new()
                } else if let Some(rest) = go
                    .strip_prefix("import")
                    .filter(|rest| rest.starts_with([' ', '"', '`']))
                {
                    go_library(&format!("import {}", rest.trim_start()), false)
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                } else if in_go_block && trimmed.starts_with(')') {
                    in_go_block = false;
                    Vec::new()
                } else {
                    go_library(trimmed, in_go_block)
                        .into_iter()
                        .map(str::to_string)
                        .collect()
                }
            }
        };
        let library = (!found.is_empty()).then_some(found);
        if let Some(library) = library {
            if first.is_none() {
                let indent = line.chars().count() - trimmed.chars().count();
                let at = start + indent;
                first = Some((
                    at,
                    Span {
                        start: at,
                        end: at + trimmed.chars().count(),
                    },
                ));
            }
            for name in library {
                if !libraries.contains(&name) {
                    libraries.push(name);
                }
            }
            continue;
        }
        if pending_tool {
            if let Some(name) = defined_name(trimmed) {
                tool_names.push(name);
                pending_tool = false;
            } else if !trimmed.starts_with('@') && !trimmed.is_empty() {
                // Other decorators may sit between the marker and the function.
                pending_tool = false;
            }
        }
        if first.is_some() || !libraries.is_empty() || language != Language::Go {
            // Pydantic AI's bare `@agent.tool` decorator (with arguments it is `.tool(`).
            let bare_decorator = trimmed.starts_with('@') && trimmed.ends_with(".tool");
            let marker = TOOL_MARKERS
                .iter()
                .copied()
                .find(|m| trimmed.contains(*m))
                .or(bare_decorator.then_some(".tool"));
            if let Some(marker) = marker {
                tools += 1;
                match first_string_after(trimmed, marker) {
                    Some(name) => tool_names.push(name),
                    None if trimmed.starts_with('@') => pending_tool = true,
                    None => {}
                }
            }
        }
    }
    let (at, label) = first?;
    Some(CodeHit {
        source: source.clone(),
        rel: rel.to_string(),
        at,
        label,
        libraries,
        tools,
        tool_names,
        test: false,
    })
}

/// The function a Python `def` line defines.
fn defined_name(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("async def ")
        .or_else(|| line.strip_prefix("def "))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The string literal that follows a tool marker on its line (`registerTool("search"`,
/// `mcp.NewTool("search"`, `@mcp.tool(name="search")`), as a tool's name.
fn first_string_after(line: &str, marker: &str) -> Option<String> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let rest = rest.trim_start_matches([' ', '(', '{']);
    let rest = rest
        .strip_prefix("name")
        .map_or(rest, |r| r.trim_start_matches([' ', '=', ':']));
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let inner = &rest[1..];
    let name = &inner[..inner.find(quote)?];
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    plain.then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_agent_libraries() {
        let py = |line: &str| python_libraries(line, false);
        assert_eq!(
            py("from langchain.agents import AgentExecutor"),
            ["langchain"]
        );
        assert_eq!(py("from langchain_openai import ChatOpenAI"), ["langchain"]);
        assert_eq!(py("import openai"), ["openai"]);
        assert_eq!(py("import os, openai"), ["openai"]);
        assert_eq!(
            py("import os, sys as system, anthropic as a  # x"),
            ["anthropic"]
        );
        assert_eq!(py("from google.adk.agents import Agent"), ["google.adk"]);
        assert_eq!(
            py("from azure.ai.agents import AgentsClient"),
            ["azure.ai.agents"]
        );
        assert_eq!(
            py("from agents import Agent, Runner"),
            ["agents (OpenAI Agents SDK)"]
        );
        assert!(python_libraries("from agents import Agent", true).is_empty());
        assert!(py("from .agents import x").is_empty());
        assert!(py("import requests").is_empty());
        assert!(py("from openai_compat import x").is_empty());
        assert!(py("import google.cloud.storage").is_empty());
        assert_eq!(
            script_library("import { generateText, tool } from \"ai\";").as_deref(),
            Some("ai")
        );
        assert_eq!(
            script_library("import { openai } from '@ai-sdk/openai';").as_deref(),
            Some("@ai-sdk/openai")
        );
        assert_eq!(
            script_library("import { genkit } from 'genkit';").as_deref(),
            Some("genkit")
        );
        assert_eq!(script_library("import axios from 'axios';"), None);
        // Type-only imports load nothing; a binding named `type` is a real import.
        assert_eq!(script_library("import type { X } from 'openai';"), None);
        assert_eq!(script_library("import type X from 'openai';"), None);
        assert_eq!(script_library("export type * from 'openai';"), None);
        for real in [
            "import type /* c */ from 'openai';",
            "import type from 'openai';",
            "import type, { X } from 'openai';",
            "import type = require('openai');",
            "import typeorm from 'openai';",
        ] {
            assert_eq!(script_library(real).as_deref(), Some("openai"), "{real}");
        }
        assert_eq!(script_library("import x from 'aim';"), None);
        assert_eq!(script_library("const x = require('aim');"), None);
        assert_eq!(
            go_library("\"github.com/sashabaranov/go-openai\"", true),
            Some("github.com/sashabaranov/go-openai")
        );
        assert_eq!(go_library("\"net/http\"", true), None);
    }

    #[test]
    fn test_files() {
        for rel in [
            "tests/test_bot.py",
            "app/__tests__/x.ts",
            "src/bot.test.ts",
            "x_test.go",
            "conftest.py",
            "pkg/spec/a.rb",
        ] {
            assert!(is_test_path(rel), "{rel}");
        }
        for rel in ["app/bot.py", "src/contest.py", "latest/a.py", "testdata.py"] {
            assert!(!is_test_path(rel), "{rel}");
        }
    }

    /// docs/discovery.md lists exactly what is recognised: every module and package here, with
    /// its framework's name, is in the table (and the table names no framework unknown here).
    #[test]
    fn the_docs_table_lists_every_library() {
        let docs = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/discovery.md"),
        )
        .unwrap();
        let table: Vec<&str> = docs
            .lines()
            .skip_while(|l| !l.starts_with("| framework or SDK |"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .collect();
        for library in PYTHON_MODULES
            .iter()
            .chain(SCRIPT_PACKAGES)
            .chain(GO_MODULES)
        {
            let module = library.module.trim_end_matches('/');
            let row = table
                .iter()
                .find(|row| row.starts_with(&format!("| {} |", library.name)));
            let row =
                row.unwrap_or_else(|| panic!("no row for {} in docs/discovery.md", library.name));
            assert!(
                row.contains(&format!("`{module}"))
                    || row.contains(module.rsplit('/').next().unwrap_or(module)),
                "{module} missing from the row of {}: {row}",
                library.name
            );
        }
        for row in &table {
            let name = row.split('|').nth(1).unwrap_or_default().trim();
            assert!(
                PYTHON_MODULES
                    .iter()
                    .chain(SCRIPT_PACKAGES)
                    .chain(GO_MODULES)
                    .any(|l| l.name == name),
                "docs/discovery.md names {name}, which agentgate does not recognise"
            );
        }
    }
}
