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

pub(super) const PYTHON_MODULES: [&str; 14] = [
    "openai",
    "anthropic",
    "langchain",
    "langgraph",
    "crewai",
    "autogen",
    "llama_index",
    "semantic_kernel",
    "mcp",
    "fastmcp",
    "pydantic_ai",
    "smolagents",
    "google.generativeai",
    "google.genai",
];

pub(super) const SCRIPT_PACKAGES: [&str; 13] = [
    "openai",
    "@anthropic-ai/sdk",
    "langchain",
    "@langchain/",
    "ai",
    "@ai-sdk/",
    "@modelcontextprotocol/sdk",
    "llamaindex",
    "@mastra/",
    "@openai/agents",
    "@google/generative-ai",
    "@google/genai",
    "@anthropic-ai/claude-agent-sdk",
];

pub(super) const GO_MODULES: [&str; 10] = [
    "github.com/sashabaranov/go-openai",
    "github.com/openai/openai-go",
    "github.com/anthropics/anthropic-sdk-go",
    "github.com/tmc/langchaingo",
    "github.com/mark3labs/mcp-go",
    "github.com/modelcontextprotocol/go-sdk",
    "github.com/cloudwego/eino",
    "google.golang.org/genai",
    "github.com/google/generative-ai-go",
    "github.com/firebase/genkit/go",
];

pub(super) fn python_library(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("import ")
        .or_else(|| line.strip_prefix("from "))?;
    let module = rest.split(|c: char| c.is_whitespace() || c == ',').next()?;
    PYTHON_MODULES.iter().find_map(|m| {
        let matches = module == *m
            || module.starts_with(&format!("{m}."))
            || (["langchain", "autogen", "crewai", "llama_index"].contains(m)
                && module.starts_with(m)
                && module[m.len()..].starts_with('_'));
        matches.then(|| (*m).to_string())
    })
}

/// The module specifier of an import or require on a TS/JS line.
pub(super) fn script_specifier(line: &str) -> Option<&str> {
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

pub(super) fn script_library(line: &str) -> Option<String> {
    let specifier = script_specifier(line)?;
    SCRIPT_PACKAGES.iter().find_map(|p| {
        let matches = if p.ends_with('/') {
            specifier.starts_with(p)
        } else {
            specifier == *p || specifier.starts_with(&format!("{p}/"))
        };
        matches.then(|| {
            if p.ends_with('/') {
                specifier.split('/').take(2).collect::<Vec<_>>().join("/")
            } else {
                (*p).to_string()
            }
        })
    })
}

pub(super) fn go_library(line: &str, in_block: bool) -> Option<String> {
    let rest = if let Some(r) = line.strip_prefix("import ") {
        r.trim()
    } else if in_block {
        line
    } else {
        return None;
    };
    let start = rest.find('"')?;
    let inner = &rest[start + 1..];
    let path = &inner[..inner.find('"')?];
    GO_MODULES
        .iter()
        .find(|m| path == **m || path.starts_with(&format!("{m}/")))
        .map(|m| (*m).to_string())
}

pub(super) const TOOL_MARKERS: [&str; 18] = [
    "@tool",
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
) -> Option<CodeHit> {
    let mut first: Option<(usize, Span)> = None;
    let mut libraries: Vec<String> = Vec::new();
    let mut tools = 0;
    let mut offset = 0;
    let mut in_go_block = false;
    for raw in source.text.split_inclusive('\n') {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let library = match language {
            Language::Python => python_library(trimmed),
            Language::Script => script_library(trimmed),
            Language::Go => {
                if trimmed.starts_with("import (") {
                    in_go_block = true;
                    None
                } else if in_go_block && trimmed.starts_with(')') {
                    in_go_block = false;
                    None
                } else {
                    go_library(trimmed, in_go_block)
                }
            }
        };
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
            if !libraries.contains(&library) {
                libraries.push(library);
            }
            continue;
        }
        if first.is_some() || !libraries.is_empty() || language != Language::Go {
            tools += TOOL_MARKERS
                .iter()
                .filter(|m| trimmed.contains(**m))
                .count()
                .min(1);
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_agent_libraries() {
        assert_eq!(
            python_library("from langchain.agents import AgentExecutor").as_deref(),
            Some("langchain")
        );
        assert_eq!(
            python_library("from langchain_openai import ChatOpenAI").as_deref(),
            Some("langchain")
        );
        assert_eq!(python_library("import openai").as_deref(), Some("openai"));
        assert_eq!(python_library("import requests"), None);
        assert_eq!(python_library("from openai_compat import x"), None);
        assert_eq!(
            script_library("import { generateText, tool } from \"ai\";").as_deref(),
            Some("ai")
        );
        assert_eq!(
            script_library("import { openai } from '@ai-sdk/openai';").as_deref(),
            Some("@ai-sdk/openai")
        );
        assert_eq!(script_library("import axios from 'axios';"), None);
        assert_eq!(script_library("const x = require('aim');"), None);
        assert_eq!(
            go_library("\"github.com/sashabaranov/go-openai\"", true).as_deref(),
            Some("github.com/sashabaranov/go-openai")
        );
        assert_eq!(go_library("\"net/http\"", true), None);
    }
}
