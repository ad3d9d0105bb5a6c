//! What only agentgate computes, handed to Rego as `data.agentgate.facts[name]`: durations in
//! seconds, date distances from today, and delegation cycles across the whole inventory.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde_json::{json, Map, Value};

use crate::units::{parse_date, parse_duration, SECONDS_PER_DAY};

/// Facts about one manifest (`delegationCycle` is added by [`delegation_cycles`]).
pub fn manifest_facts(manifest: &Value, file: &str, today: i64) -> Map<String, Value> {
    let duration = |v: Option<&Value>| v.and_then(Value::as_str).and_then(parse_duration);
    let credentials: Vec<Value> = manifest
        .pointer("/spec/credentials")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|c| json!({"ttlSeconds": duration(c.get("ttl")), "rotationSeconds": duration(c.get("rotation"))}))
                .collect()
        })
        .unwrap_or_default();
    let day = |pointer: &str| {
        manifest
            .pointer(pointer)
            .and_then(Value::as_str)
            .and_then(parse_date)
    };
    let mut facts = Map::new();
    facts.insert("file".into(), json!(file));
    facts.insert("credentials".into(), Value::Array(credentials));
    facts.insert(
        "expiresInSeconds".into(),
        json!(day("/spec/lifecycle/expires").map(|d| (d - today) * SECONDS_PER_DAY)),
    );
    facts.insert(
        "reviewAgeSeconds".into(),
        json!(day("/spec/review/date").map(|d| (today - d) * SECONDS_PER_DAY)),
    );
    facts
}

fn delegates(manifest: &Value) -> Vec<&str> {
    manifest
        .pointer("/spec/delegation/delegatesTo")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Every delegation cycle, once: keyed by the member whose name sorts first, listing the cycle
/// in delegation order from that member.
pub fn delegation_cycles(inventory: &BTreeMap<String, &Value>) -> BTreeMap<String, Vec<String>> {
    let graph: BTreeMap<&str, Vec<&str>> = inventory
        .iter()
        .map(|(name, m)| {
            let mut next: Vec<&str> = delegates(m)
                .into_iter()
                .filter(|d| inventory.contains_key(*d))
                .collect();
            next.sort_unstable();
            next.dedup();
            (name.as_str(), next)
        })
        .collect();
    let mut cycles = BTreeMap::new();
    for component in strongly_connected(&graph) {
        let Some(&first) = component.iter().next() else {
            continue;
        };
        if let Some(cycle) = shortest_cycle(&graph, &component, first) {
            cycles.insert(first.to_string(), cycle);
        }
    }
    cycles
}

/// The shortest delegation path from `start` back to itself, staying inside `component`.
fn shortest_cycle(
    graph: &BTreeMap<&str, Vec<&str>>,
    component: &BTreeSet<&str>,
    start: &str,
) -> Option<Vec<String>> {
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in graph.get(node).into_iter().flatten() {
            if !component.contains(next) {
                continue;
            }
            if next == start {
                let mut path = vec![node.to_string()];
                let mut at = node;
                while at != start {
                    at = previous[at];
                    path.push(at.to_string());
                }
                path.reverse();
                return Some(path);
            }
            if !previous.contains_key(next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Tarjan's algorithm, iteratively (delegation chains in a large inventory must not overflow
/// the stack). Returns components that can hold a cycle: two or more members, or a self-loop.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<BTreeSet<&'a str>> {
    let mut index: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    let mut counter = 0;
    for &root in graph.keys() {
        if index.contains_key(root) {
            continue;
        }
        let mut work: Vec<(&str, usize)> = vec![(root, 0)];
        index.insert(root, (counter, counter));
        counter += 1;
        stack.push(root);
        on_stack.insert(root);
        while let Some(&mut (node, ref mut edge)) = work.last_mut() {
            let edges = &graph[node];
            if *edge < edges.len() {
                let next = edges[*edge];
                *edge += 1;
                if let Some(&(next_index, _)) = index.get(next) {
                    if on_stack.contains(next) {
                        let low = index[node].1.min(next_index);
                        if let Some(e) = index.get_mut(node) {
                            e.1 = low;
                        }
                    }
                } else {
                    index.insert(next, (counter, counter));
                    counter += 1;
                    stack.push(next);
                    on_stack.insert(next);
                    work.push((next, 0));
                }
                continue;
            }
            work.pop();
            let (node_index, node_low) = index[node];
            if let Some(&(parent, _)) = work.last() {
                let low = index[parent].1.min(node_low);
                if let Some(e) = index.get_mut(parent) {
                    e.1 = low;
                }
            }
            if node_index == node_low {
                let mut component = BTreeSet::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    component.insert(member);
                    if member == node {
                        break;
                    }
                }
                let self_loop = graph[node].contains(&node);
                if component.len() > 1 || self_loop {
                    out.push(component);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(delegates: &[&str]) -> Value {
        json!({"spec": {"delegation": {"delegatesTo": delegates}}})
    }

    #[test]
    fn finds_each_cycle_once_from_its_first_member() {
        let manifests = [
            ("c", agent(&["a"])),
            ("a", agent(&["b"])),
            ("b", agent(&["c", "d"])),
            ("d", agent(&[])),
            ("x", agent(&["x"])),
            ("y", agent(&["z"])),
            ("z", agent(&["missing"])),
        ];
        let inventory: BTreeMap<String, &Value> =
            manifests.iter().map(|(n, v)| (n.to_string(), v)).collect();
        let cycles = delegation_cycles(&inventory);
        assert_eq!(cycles.len(), 2);
        assert_eq!(cycles["a"], vec!["a", "b", "c"]);
        assert_eq!(cycles["x"], vec!["x"]);
    }

    #[test]
    fn durations_and_dates_become_seconds() {
        let manifest = json!({"spec": {
            "credentials": [{"ttl": "1h", "rotation": "30d"}, {"ttl": "never", "rotation": "automatic"}],
            "lifecycle": {"expires": "2026-11-25"},
            "review": {"date": "not a date"}}});
        let today = parse_date("2026-11-23").unwrap();
        let facts = manifest_facts(&manifest, "a.agent.yaml", today);
        assert_eq!(
            facts["credentials"][0],
            json!({"ttlSeconds": 3600, "rotationSeconds": 2_592_000})
        );
        assert_eq!(
            facts["credentials"][1],
            json!({"ttlSeconds": null, "rotationSeconds": null})
        );
        assert_eq!(facts["expiresInSeconds"], json!(172_800));
        assert_eq!(facts["reviewAgeSeconds"], Value::Null);
    }
}
