//! The edits: operations applied to the YAML text in place.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Edit {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) text: String,
}

pub(super) fn line_start(text: &str, i: usize) -> usize {
    text.as_bytes()[..i].iter().rposition(|&c| c == b'\n').map_or(0, |n| n + 1)
}

/// Whether only spaces stand before `i` on its line (a block item or key that opens it).
pub(super) fn opens_line(text: &str, i: usize) -> bool {
    text.as_bytes()[line_start(text, i)..i].iter().all(|&b| b == b' ')
}

/// The text with the operations applied in place, or `None` when one of them falls on
/// something this editor does not follow.
pub(super) fn edit(text: &str, root: &Node, ops: &[Op]) -> Option<String> {
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut leaf = Vec::new();
    for op in ops {
        if !matches!(op, Op::Group(..)) {
            leaf.push(leaf_edit(text, root, op, nl)?);
        }
    }
    let mut all = Vec::new();
    for op in ops {
        if let Op::Group(path, slots) = op {
            all.push(group_edit(text, root, path, slots, &mut leaf, nl)?);
        }
    }
    all.extend(leaf);
    apply_edits(text, 0, text.len(), all)
}

/// `text[start..end]` with the edits (inside that range) applied. An edit inside a removed
/// range goes with it; any other overlap is refused.
pub(super) fn apply_edits(
    text: &str,
    start: usize,
    end: usize,
    mut edits: Vec<Edit>,
) -> Option<String> {
    // Insertions first at one position, then the widest edit.
    edits.sort_by_key(|e| (e.start, e.end != e.start, std::cmp::Reverse(e.end)));
    let mut out = String::with_capacity(end - start + 256);
    let mut pos = start;
    let mut last: Option<(usize, usize)> = None;
    for e in edits {
        if let Some((s, t)) = last
            && s < t
            && e.start >= s
            && e.end <= t
            && (e.start, e.end) != (s, t)
        {
            continue;
        }
        if e.start < pos {
            return None;
        }
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
        last = Some((e.start, e.end));
    }
    out.push_str(&text[pos..end]);
    Some(out)
}

pub(super) fn leaf_edit(text: &str, root: &Node, op: &Op, nl: &str) -> Option<Edit> {
    match op {
        Op::Set(path, value) => {
            let node = find(root, path)?;
            if !matches!(node.kind, Kind::Scalar) {
                return None;
            }
            let raw = &text[node.start..node.end];
            let new = match raw.as_bytes().first() {
                Some(b'\'') if !value.contains('\n') => format!("'{}'", value.replace('\'', "''")),
                Some(b'"') => double_quoted(value),
                None if !node.flow => format!(" {}", scalar(value, false)),
                _ => scalar(value, node.flow),
            };
            Some(Edit { start: node.start, end: node.end, text: new })
        }
        Op::Remove(path) => {
            let (last, parent_path) = path.split_last()?;
            let parent = find(root, parent_path)?;
            let (i, ch) = parent.child(last)?;
            let children = parent.children();
            let next = children.get(i + 1);
            let (start, end) = if parent.flow {
                match (next, i.checked_sub(1)) {
                    (Some(n), _) => (ch.start, n.start),
                    (None, Some(p)) => (children[p].end, ch.end),
                    (None, None) => (ch.start, ch.end),
                }
            } else if opens_line(text, ch.start) {
                (line_start(text, ch.start), next.map_or(ch.end, |n| line_start(text, n.start)))
            } else {
                // The first key of a mapping that opens on a `- ` line: the next takes its place.
                (ch.start, next?.start)
            };
            Some(Edit { start, end, text: String::new() })
        }
        Op::Add { map, key, value, after } => {
            let node = find(root, map)?;
            let Kind::Map(children) = &node.kind else { return None };
            let anchor = after
                .iter()
                .find_map(|k| children.iter().find(|c| c.key.as_deref() == Some(*k)))
                .or(children.last());
            let value = scalar(value, node.flow);
            if node.flow {
                return Some(match anchor {
                    Some(a) => Edit { start: a.end, end: a.end, text: format!(", {key}: {value}") },
                    None => Edit {
                        start: node.start + 1,
                        end: node.start + 1,
                        text: format!("{key}: {value}"),
                    },
                });
            }
            let a = anchor?;
            let indent = children[0].start - line_start(text, children[0].start);
            let lead = if a.end == text.len() && !text.ends_with('\n') { nl } else { "" };
            let line = format!("{lead}{}{key}: {value}{nl}", " ".repeat(indent));
            Some(Edit { start: a.end, end: a.end, text: line })
        }
        Op::Group(..) => None,
    }
}

/// Zola: the fields list rebuilt from its items' own text (their edits applied), the moved
/// ones inside new `extra`/`taxonomies` object fields.
pub(super) fn group_edit(
    text: &str,
    root: &Node,
    path: &[Seg],
    slots: &[Slot],
    leaf: &mut Vec<Edit>,
    nl: &str,
) -> Option<Edit> {
    let node = find(root, path)?;
    let Kind::Seq(items) = &node.kind else { return None };
    let last = items.len().checked_sub(1)?;
    if !node.flow && !items.iter().all(|c| opens_line(text, c.start)) {
        return None;
    }
    // Block items take their whole lines, comments and blank lines after them included.
    let chunk = |i: usize| -> (usize, usize) {
        let c = &items[i];
        if node.flow {
            (c.start, c.end)
        } else {
            (
                line_start(text, c.start),
                items.get(i + 1).map_or(c.end, |n| line_start(text, n.start)),
            )
        }
    };
    let (start, end) = (chunk(0).0, chunk(last).1);
    let (inner, rest): (Vec<Edit>, Vec<Edit>) =
        leaf.drain(..).partition(|e| e.start >= start && e.end <= end);
    *leaf = rest;
    let item = |i: usize| -> Option<String> {
        let (s, e) = chunk(i);
        let mine = inner.iter().filter(|x| x.start >= s && x.end <= e).cloned().collect();
        apply_edits(text, s, e, mine)
    };
    let placed: usize = (0..items.len())
        .map(|i| {
            let (s, e) = chunk(i);
            inner.iter().filter(|x| x.start >= s && x.end <= e).count()
        })
        .sum();
    if placed != inner.len() {
        return None;
    }
    if node.flow {
        let mut parts = Vec::new();
        for s in slots {
            parts.push(match s {
                Slot::Keep(i) => item(*i)?,
                Slot::Object { name, label, optional, items } => {
                    let members: Option<Vec<String>> = items.iter().map(|i| item(*i)).collect();
                    let required = if *optional { "required: false, " } else { "" };
                    format!(
                        "{{label: {label}, name: {name}, widget: object, {required}fields: [{}]}}",
                        members?.join(", ")
                    )
                }
            });
        }
        return Some(Edit {
            start: node.start,
            end: node.end,
            text: format!("[{}]", parts.join(", ")),
        });
    }
    let dash = items[0].start - line_start(text, items[0].start);
    // The nested list is indented as this one is under its key.
    let parent = find(root, path.split_last()?.1)?;
    let key_col = parent.children().first().map_or(0, |c| c.start - line_start(text, c.start));
    let step = if matches!(parent.kind, Kind::Map(_)) { dash.saturating_sub(key_col) } else { 2 };
    let pad = " ".repeat(dash);
    let shift = " ".repeat(2 + step);
    let mut out = String::new();
    let push = |out: &mut String, t: &str| {
        out.push_str(t);
        if !t.ends_with('\n') {
            out.push_str(nl);
        }
    };
    for s in slots {
        match s {
            Slot::Keep(i) => push(&mut out, &item(*i)?),
            Slot::Object { name, label, optional, items } => {
                out.push_str(&format!("{pad}- label: {label}{nl}{pad}  name: {name}{nl}"));
                out.push_str(&format!("{pad}  widget: object{nl}"));
                if *optional {
                    out.push_str(&format!("{pad}  required: false{nl}"));
                }
                out.push_str(&format!("{pad}  fields:{nl}"));
                for i in items {
                    let t = item(*i)?;
                    let shifted: String = t
                        .split_inclusive('\n')
                        .map(|l| {
                            if l.trim().is_empty() { l.to_string() } else { format!("{shift}{l}") }
                        })
                        .collect();
                    push(&mut out, &shifted);
                }
            }
        }
    }
    if !text[..end].ends_with('\n') {
        let trimmed = out.trim_end_matches(['\r', '\n']).len();
        out.truncate(trimmed);
    }
    Some(Edit { start, end, text: out })
}

pub(super) fn double_quoted(s: &str) -> String {
    serde_json::Value::String(s.into()).to_string()
}

/// A scalar as YAML text: plain when that reads back as the same string, else quoted.
pub(super) fn scalar(s: &str, flow: bool) -> String {
    let special = s.is_empty()
        || s.trim() != s
        || s.contains(['\n', '\t', '#'])
        || (flow && s.contains([',', '[', ']', '{', '}']))
        || s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
            '`',
        ])
        || s.contains(": ")
        || s.ends_with(':');
    let plain =
        !special && matches!(serde_yaml::from_str::<Value>(s), Ok(Value::String(ref v)) if v == s);
    if plain { s.to_string() } else { double_quoted(s) }
}
