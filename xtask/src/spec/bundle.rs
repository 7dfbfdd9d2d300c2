//! Bundling: one multi-file upstream root becomes one self-contained document.
//!
//! - Path items that are file refs are inlined.
//! - Schemas, parameters, responses, request bodies, headers and examples that
//!   live in other files are hoisted into `components`. A file named by the
//!   root's `components` keeps that name; any other file is named after its
//!   stem (or its last `#/fragment` segment). Clashes are settled without
//!   depending on traversal order: files of the root's own version folder win,
//!   then the shortest path; the others get a prefix (their version folder,
//!   then their parent folder).
//! - A schema file that only says `$ref: X` is an alias: uses point at `X`.
//! - `$ref`s inside examples are inlined; `discriminator.mapping` values that
//!   are files become component refs.
//! - With [`Options::casing`] (the per-service layout, whose files are named
//!   in lower case: `basereferencedto.yaml`), a schema file's lower-case
//!   stem takes the casing another document gives the same name
//!   (`BaseReferenceDto`), else its title's when the title spells the stem.
//! - `x-webhooks` (the event triggers ISC delivers, OpenAPI 3.0's spelling
//!   of 3.1's `webhooks`) is bundled as `paths` is: each entry's file is
//!   inlined and its schemas hoisted. A `responses` that names no status
//!   and holds `content` directly (some upstream trigger files do) has
//!   that content walked too, so that its schemas are hoisted; the
//!   `webhook-responses` pass then gives it its status.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

use crate::names::{norm, pascal};

const KINDS: [&str; 6] = ["schemas", "parameters", "responses", "requestBodies", "headers", "examples"];
use super::document::HTTP_METHODS;
/// Marks a not-yet-named component reference inside the tree being built.
const PLACEHOLDER: char = '\u{1}';

/// A bundled document and what it was made from.
pub struct Bundle {
    pub doc: Value,
    /// Every file the root reaches, relative to the specs directory, in order.
    pub files: Vec<String>,
    /// Components that had to be given a name other than their file stem.
    pub renamed: BTreeMap<String, String>,
}

/// `(file, fragment)`: where a component lives upstream.
type Key = (PathBuf, String);

struct Bundler {
    specs_dir: PathBuf,
    root: PathBuf,
    cache: HashMap<PathBuf, Value>,
    load_order: Vec<PathBuf>,
    /// Per kind: hoisted components in discovery order (`None` while being built).
    comps: Vec<Vec<(Key, Option<Value>)>>,
    index: Vec<HashMap<Key, usize>>,
    fixed_names: Vec<HashMap<Key, String>>,
    unresolved: Vec<String>,
    renamed: BTreeMap<String, String>,
    casing: Option<HashMap<String, String>>,
}

/// How to bundle, beyond the defaults.
#[derive(Default)]
pub struct Options {
    /// Names by their [`norm`], whose casing a lower-case file stem takes.
    pub casing: Option<HashMap<String, String>>,
    /// The root document itself, given in memory: it is not read from
    /// `root` (whose path still anchors its references) and not listed in
    /// [`Bundle::files`].
    pub root_doc: Option<Value>,
}

/// Bundles `root` (a path relative to `specs_dir`).
pub fn bundle(specs_dir: &Path, root: &str) -> Result<Bundle> {
    bundle_with(specs_dir, root, Options::default())
}

/// Bundles `root` as `options` say.
pub fn bundle_with(specs_dir: &Path, root: &str, options: Options) -> Result<Bundle> {
    let specs_dir = lexical(&std::path::absolute(specs_dir)?);
    let mut b = Bundler {
        specs_dir: specs_dir.clone(),
        root: lexical(&specs_dir.join(root)),
        cache: HashMap::new(),
        load_order: Vec::new(),
        comps: vec![Vec::new(); KINDS.len()],
        index: vec![HashMap::new(); KINDS.len()],
        fixed_names: vec![HashMap::new(); KINDS.len()],
        unresolved: Vec::new(),
        renamed: BTreeMap::new(),
        casing: options.casing,
    };
    if let Some(doc) = options.root_doc {
        b.cache.insert(b.root.clone(), doc);
    }
    let doc = b.run()?;
    if !b.unresolved.is_empty() {
        bail!("{root}: {} unresolved references, first: {}", b.unresolved.len(), b.unresolved[0]);
    }
    let dangling = dangling_refs(&doc);
    if let Some(first) = dangling.first() {
        bail!("{root}: {} dangling references after bundling, first: {first}", dangling.len());
    }
    let files = b.load_order.iter().map(|p| b.rel(p)).collect();
    let renamed = b.renamed.clone();
    Ok(Bundle { doc, files, renamed })
}

/// Normalizes `a/b/../c` to `a/c` without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn kind_index(kind: &str) -> usize {
    KINDS.iter().position(|k| *k == kind).expect("known component kind")
}

impl Bundler {
    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(&self.specs_dir).unwrap_or(p).to_string_lossy().replace('\\', "/")
    }

    fn load(&mut self, path: &Path) -> Result<&Value> {
        if !self.cache.contains_key(path) {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            let value = crate::spec::yaml::parse(&text).with_context(|| format!("parsing {}", path.display()))?;
            self.cache.insert(path.to_path_buf(), value);
            self.load_order.push(path.to_path_buf());
        }
        Ok(&self.cache[path])
    }

    /// Resolves `reference` as written in `base`; records failures.
    fn target(&mut self, base: &Path, reference: &str) -> Option<(Key, Value)> {
        let (file, frag) = reference.split_once('#').unwrap_or((reference, ""));
        let path = if file.is_empty() { base.to_path_buf() } else { lexical(&base.parent().unwrap_or(Path::new("")).join(file)) };
        let mut node = match self.load(&path) {
            Ok(v) => v,
            Err(e) => {
                self.unresolved.push(format!("{} -> {reference}: {e:#}", self.rel(base)));
                return None;
            }
        };
        for token in frag.trim_start_matches('/').split('/').filter(|t| !t.is_empty()) {
            let token = super::pointer::unescape(token);
            let next = match node {
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                Value::Object(map) => map.get(&token),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => {
                    self.unresolved.push(format!("{} -> {reference}: fragment not found", self.rel(base)));
                    return None;
                }
            }
        }
        Some(((path, frag.to_string()), node.clone()))
    }

    fn placeholder(kind: usize, slot: usize) -> Value {
        Value::String(format!("{PLACEHOLDER}{kind}{PLACEHOLDER}{slot}"))
    }

    /// Hoists the component that `reference` points at; returns `{"$ref": …}`.
    fn hoist(&mut self, kind: usize, base: &Path, reference: &str, walk: Walker) -> Value {
        if base == self.root && reference.starts_with("#/components/") {
            return json!({ "$ref": reference });
        }
        let Some((key, node)) = self.target(base, reference) else {
            return json!({ "$ref": reference });
        };
        if let Some(&slot) = self.index[kind].get(&key) {
            return json!({ "$ref": Self::placeholder(kind, slot) });
        }
        if KINDS[kind] == "schemas"
            && !self.fixed_names[kind].contains_key(&key)
            && let Some(alias) = alias_target(&node)
        {
            let file = key.0.clone();
            return self.hoist(kind, &file, &alias, walk);
        }
        let slot = self.comps[kind].len();
        self.comps[kind].push((key.clone(), None));
        self.index[kind].insert(key.clone(), slot);
        let built = walk(self, &node, &key.0);
        self.comps[kind][slot].1 = Some(built);
        json!({ "$ref": Self::placeholder(kind, slot) })
    }

    /// Inlines every `$ref` (used for examples, callbacks, encodings).
    fn inline(&mut self, node: &Value, base: &Path) -> Value {
        self.inline_depth(node, base, 0)
    }

    fn inline_depth(&mut self, node: &Value, base: &Path, depth: usize) -> Value {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    if depth < 32
                        && let Some(((file, _), target)) = self.target(base, r)
                    {
                        return self.inline_depth(&target, &file, depth + 1);
                    }
                    return node.clone();
                }
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.inline_depth(v, base, depth))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.inline_depth(v, base, depth)).collect()),
            other => other.clone(),
        }
    }

    fn schema(&mut self, node: &Value, base: &Path) -> Value {
        let Value::Object(map) = node else { return node.clone() };
        if let Some(Value::String(r)) = map.get("$ref") {
            let r = r.clone();
            return self.hoist(kind_index("schemas"), base, &r, Bundler::schema);
        }
        let mut out = Map::new();
        for (k, v) in map {
            let walked = match (k.as_str(), v) {
                ("properties", Value::Object(props)) => {
                    Value::Object(props.iter().map(|(pk, pv)| (pk.clone(), self.schema(pv, base))).collect())
                }
                ("items" | "not" | "additionalProperties", Value::Object(_)) => self.schema(v, base),
                ("allOf" | "oneOf" | "anyOf", Value::Array(items)) => {
                    Value::Array(items.iter().map(|x| self.schema(x, base)).collect())
                }
                ("discriminator", Value::Object(d)) => {
                    let mut d = d.clone();
                    if let Some(Value::Object(mapping)) = d.get("mapping").cloned() {
                        let mut m = Map::new();
                        for (mk, mv) in mapping {
                            let walked = match mv.as_str() {
                                Some(r) => self.hoist(kind_index("schemas"), base, r, Bundler::schema)["$ref"].clone(),
                                None => mv,
                            };
                            m.insert(mk, walked);
                        }
                        d.insert("mapping".into(), Value::Object(m));
                    }
                    Value::Object(d)
                }
                ("example" | "examples", _) => self.inline(v, base),
                _ => v.clone(),
            };
            out.insert(k.clone(), walked);
        }
        Value::Object(out)
    }

    fn media(&mut self, node: &Value, base: &Path) -> Value {
        let mut out = node.as_object().cloned().unwrap_or_default();
        if let Some(s) = out.get("schema").cloned() {
            out.insert("schema".into(), self.schema(&s, base));
        }
        for k in ["examples", "example", "encoding"] {
            if let Some(v) = out.get(k).cloned() {
                out.insert(k.into(), self.inline(&v, base));
            }
        }
        Value::Object(out)
    }

    fn content(&mut self, node: &Value, base: &Path) -> Value {
        let Value::Object(map) = node else { return node.clone() };
        Value::Object(map.iter().map(|(ct, mt)| (ct.clone(), self.media(mt, base))).collect())
    }

    /// Walks a parameter, header, request body or response object.
    fn component(&mut self, kind: &str, node: &Value, base: &Path) -> Value {
        let Value::Object(map) = node else { return node.clone() };
        if let Some(Value::String(r)) = map.get("$ref") {
            let r = r.clone();
            let walk: Walker = match kind {
                "parameters" => Bundler::parameter,
                "headers" => Bundler::header,
                "requestBodies" => Bundler::request_body,
                _ => Bundler::response,
            };
            return self.hoist(kind_index(kind), base, &r, walk);
        }
        let mut out = map.clone();
        if let Some(s) = map.get("schema") {
            out.insert("schema".into(), self.schema(s, base));
        }
        if let Some(c) = map.get("content") {
            out.insert("content".into(), self.content(c, base));
        }
        if let Some(e) = map.get("examples") {
            out.insert("examples".into(), self.inline(e, base));
        }
        if let (Some(Value::Object(headers)), "responses") = (map.get("headers"), kind) {
            let walked = headers.iter().map(|(h, v)| (h.clone(), self.header(v, base))).collect();
            out.insert("headers".into(), Value::Object(walked));
        }
        Value::Object(out)
    }

    fn parameter(&mut self, node: &Value, base: &Path) -> Value {
        self.component("parameters", node, base)
    }
    fn header(&mut self, node: &Value, base: &Path) -> Value {
        self.component("headers", node, base)
    }
    fn request_body(&mut self, node: &Value, base: &Path) -> Value {
        self.component("requestBodies", node, base)
    }
    fn response(&mut self, node: &Value, base: &Path) -> Value {
        self.component("responses", node, base)
    }
    fn example(&mut self, node: &Value, base: &Path) -> Value {
        self.inline(node, base)
    }

    fn operation(&mut self, node: &Value, base: &Path) -> Value {
        let Value::Object(map) = node else { return node.clone() };
        let mut out = map.clone();
        if let Some(Value::Array(ps)) = map.get("parameters") {
            out.insert("parameters".into(), Value::Array(ps.iter().map(|p| self.parameter(p, base)).collect()));
        }
        if let Some(rb) = map.get("requestBody") {
            out.insert("requestBody".into(), self.request_body(rb, base));
        }
        if let Some(Value::Object(rs)) = map.get("responses") {
            let walked = rs
                .iter()
                .map(|(c, r)| (c.clone(), if c == "content" { self.content(r, base) } else { self.response(r, base) }))
                .collect();
            out.insert("responses".into(), Value::Object(walked));
        }
        if let Some(cb) = map.get("callbacks") {
            out.insert("callbacks".into(), self.inline(cb, base));
        }
        Value::Object(out)
    }

    fn path_item(&mut self, node: &Value, base: &Path) -> Value {
        let Value::Object(map) = node else { return node.clone() };
        if let Some(Value::String(r)) = map.get("$ref") {
            let r = r.clone();
            let Some(((file, _), target)) = self.target(base, &r) else { return json!({}) };
            let mut merged = target.as_object().cloned().unwrap_or_default();
            for (k, v) in map.iter().filter(|(k, _)| *k != "$ref") {
                merged.insert(k.clone(), v.clone());
            }
            return self.path_item(&Value::Object(merged), &file);
        }
        let mut out = Map::new();
        for (k, v) in map {
            let walked = if HTTP_METHODS.contains(&k.as_str()) {
                self.operation(v, base)
            } else if let ("parameters", Value::Array(ps)) = (k.as_str(), v) {
                Value::Array(ps.iter().map(|p| self.parameter(p, base)).collect())
            } else {
                v.clone()
            };
            out.insert(k.clone(), walked);
        }
        Value::Object(out)
    }

    fn version_dir(&self, path: &Path) -> String {
        let rootdir = self.root.parent().unwrap_or(Path::new(""));
        path.strip_prefix(rootdir)
            .ok()
            .and_then(|p| p.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// `stem`, cased as [`Options::casing`] says.
    fn cased(&self, stem: String, schema: Option<&Value>) -> String {
        match &self.casing {
            Some(casing) => cased_stem(casing, stem, schema),
            None => stem,
        }
    }

    /// Names every hoisted component (see the module docs for the rules).
    fn assign_names(&self, own_version: &str) -> Vec<Vec<String>> {
        let mut all = Vec::new();
        for (kind, comps) in self.comps.iter().enumerate() {
            let mut names: Vec<Option<String>> = vec![None; comps.len()];
            let mut used: HashMap<String, usize> = HashMap::new();
            for (slot, (key, _)) in comps.iter().enumerate() {
                if let Some(name) = self.fixed_names[kind].get(key) {
                    names[slot] = Some(name.clone());
                    used.insert(norm(name), slot);
                }
            }
            let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (slot, ((path, frag), _)) in comps.iter().enumerate() {
                if names[slot].is_some() {
                    continue;
                }
                let stem = if frag.is_empty() {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    if KINDS[kind] == "schemas" { self.cased(stem, comps[slot].1.as_ref()) } else { stem }
                } else {
                    frag.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string()
                };
                groups.entry(stem).or_default().push(slot);
            }
            for (stem, mut slots) in groups {
                slots.sort_by_key(|&s| {
                    let (path, frag) = &comps[s].0;
                    let rel = self.rel(path);
                    (self.version_dir(path) != own_version, rel.len(), rel, frag.clone())
                });
                for slot in slots {
                    let path = &comps[slot].0.0;
                    let starts_ok = stem.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
                    let base = if KINDS[kind] == "schemas" && !starts_ok { format!("S{stem}") } else { stem.clone() };
                    let vd = self.version_dir(path);
                    let parent =
                        path.parent().and_then(|p| p.file_name()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    let mut candidates = vec![base.clone()];
                    if vd != own_version {
                        candidates.push(format!("{}{base}", pascal(&vd)));
                    }
                    candidates.push(format!("{}{base}", pascal(&parent)));
                    candidates.push(format!("{}{}{base}", pascal(&vd), pascal(&parent)));
                    let mut chosen = candidates.into_iter().find(|c| !used.contains_key(&norm(c)));
                    let mut i = 2;
                    while chosen.is_none() {
                        let c = format!("{base}{i}");
                        if !used.contains_key(&norm(&c)) {
                            chosen = Some(c);
                        }
                        i += 1;
                    }
                    let chosen = chosen.unwrap_or_default();
                    used.insert(norm(&chosen), slot);
                    names[slot] = Some(chosen);
                }
            }
            all.push(names.into_iter().map(Option::unwrap_or_default).collect());
        }
        all
    }

    fn run(&mut self) -> Result<Value> {
        let root = self.root.clone();
        let doc = self.load(&root)?.clone();
        let own_version = doc
            .get("paths")
            .and_then(Value::as_object)
            .and_then(|p| p.values().find_map(|v| v.get("$ref")?.as_str().map(str::to_string)))
            .map(|r| r.trim_start_matches(['.', '/']).split('/').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        let root_comps = doc.get("components").cloned().unwrap_or_else(|| json!({}));
        let external = |v: &Value| -> Option<String> {
            v.get("$ref").and_then(Value::as_str).filter(|r| !r.starts_with('#')).map(str::to_string)
        };
        // Names the root gives to files.
        for (kind, kind_name) in KINDS.iter().enumerate() {
            for (name, v) in root_comps.get(kind_name).and_then(Value::as_object).into_iter().flatten() {
                if let Some(r) = external(v)
                    && let Some((key, _)) = self.target(&root, &r)
                {
                    self.fixed_names[kind].entry(key).or_insert_with(|| name.clone());
                }
            }
        }
        // Root components, in document order.
        let mut aliases: Vec<(usize, String, Key)> = Vec::new();
        let mut inline_comps: Vec<(usize, String, Value)> = Vec::new();
        for (kind, kind_name) in KINDS.iter().enumerate() {
            let walk: Walker = match *kind_name {
                "schemas" => Bundler::schema,
                "parameters" => Bundler::parameter,
                "responses" => Bundler::response,
                "requestBodies" => Bundler::request_body,
                "headers" => Bundler::header,
                _ => Bundler::example,
            };
            for (name, v) in root_comps.get(kind_name).and_then(Value::as_object).into_iter().flatten() {
                if let Some(r) = external(v) {
                    let Some((key, node)) = self.target(&root, &r) else { continue };
                    if self.fixed_names[kind].get(&key) != Some(name) {
                        aliases.push((kind, name.clone(), key.clone()));
                    }
                    if !self.index[kind].contains_key(&key) {
                        let slot = self.comps[kind].len();
                        self.comps[kind].push((key.clone(), None));
                        self.index[kind].insert(key.clone(), slot);
                        let built = walk(self, &node, &key.0);
                        self.comps[kind][slot].1 = Some(built);
                    }
                } else {
                    let built = walk(self, v, &root);
                    inline_comps.push((kind, name.clone(), built));
                }
            }
        }
        let mut paths = Map::new();
        for (p, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
            paths.insert(p.clone(), self.path_item(item, &root));
        }
        let mut webhooks = Map::new();
        for (w, item) in doc.get("x-webhooks").and_then(Value::as_object).into_iter().flatten() {
            webhooks.insert(w.clone(), self.path_item(item, &root));
        }
        let names = self.assign_names(&own_version);

        let mut out = Map::new();
        for (k, v) in doc.as_object().into_iter().flatten() {
            if !matches!(k.as_str(), "paths" | "components" | "x-webhooks") {
                out.insert(k.clone(), v.clone());
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        if !webhooks.is_empty() {
            out.insert("x-webhooks".into(), Value::Object(webhooks));
        }
        let mut comps = Map::new();
        if let Some(s) = root_comps.get("securitySchemes") {
            comps.insert("securitySchemes".into(), s.clone());
        }
        for (kind, kind_name) in KINDS.iter().enumerate() {
            let mut d: BTreeMap<String, Value> = BTreeMap::new();
            for (slot, (_, node)) in self.comps[kind].iter().enumerate() {
                d.insert(names[kind][slot].clone(), node.clone().unwrap_or(Value::Null));
            }
            for (k, name, node) in &inline_comps {
                if *k == kind {
                    d.insert(name.clone(), node.clone());
                }
            }
            for (k, name, key) in &aliases {
                if *k == kind {
                    d.insert(name.clone(), json!({ "$ref": Self::placeholder(kind, self.index[kind][key]) }));
                }
            }
            if !d.is_empty() {
                comps.insert((*kind_name).into(), Value::Object(d.into_iter().collect()));
            }
        }
        out.insert("components".into(), Value::Object(comps));
        let mut out = Value::Object(out);
        resolve_placeholders(&mut out, &names);
        self.renamed = self.renamed_report(&names);
        Ok(out)
    }

    fn renamed_report(&self, names: &[Vec<String>]) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (kind, comps) in self.comps.iter().enumerate() {
            for (slot, ((path, frag), _)) in comps.iter().enumerate() {
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let name = &names[kind][slot];
                let recased = self.casing.is_some() && norm(name) == norm(&stem);
                if !self.fixed_names[kind].contains_key(&comps[slot].0) && *name != stem && !recased {
                    let from = if frag.is_empty() { self.rel(path) } else { format!("{}#{frag}", self.rel(path)) };
                    out.insert(from, format!("#/components/{}/{name}", KINDS[kind]));
                }
            }
        }
        out
    }
}

/// A lower-case file stem (`basereferencedto`) with the casing `casing`
/// gives the same name (`BaseReferenceDto`), else the one of the schema's
/// title when the title spells the stem (`Base Reference Dto`); any other
/// stem as it is.
pub fn cased_stem(casing: &HashMap<String, String>, stem: String, schema: Option<&Value>) -> String {
    if stem.chars().any(|c| c.is_ascii_uppercase()) {
        return stem;
    }
    let key = norm(&stem);
    if let Some(name) = casing.get(&key) {
        return name.clone();
    }
    match schema.and_then(|s| s.get("title")).and_then(Value::as_str) {
        Some(title) if norm(title) == key && title.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) => pascal(title),
        _ => stem,
    }
}

type Walker = fn(&mut Bundler, &Value, &Path) -> Value;

/// `{ $ref: X }` (optionally with a description) in a file of its own.
fn alias_target(node: &Value) -> Option<String> {
    let map = node.as_object()?;
    let r = map.get("$ref")?.as_str()?;
    map.keys().all(|k| k == "$ref" || k == "description").then(|| r.to_string())
}

fn resolve_placeholders(node: &mut Value, names: &[Vec<String>]) {
    match node {
        Value::String(s) if s.starts_with(PLACEHOLDER) => {
            let mut parts = s[1..].split(PLACEHOLDER);
            let kind: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or_default();
            let slot: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or_default();
            *s = format!("#/components/{}/{}", KINDS[kind], names[kind][slot]);
        }
        Value::Object(map) => map.values_mut().for_each(|v| resolve_placeholders(v, names)),
        Value::Array(items) => items.iter_mut().for_each(|v| resolve_placeholders(v, names)),
        _ => {}
    }
}

/// Every `$ref` that does not point at an existing component.
pub fn dangling_refs(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(doc: &Value, node: &Value, out: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let ok = r.strip_prefix("#/components/").and_then(|rest| rest.split_once('/')).is_some_and(|(kind, name)| {
                        doc.get("components").and_then(|c| c.get(kind)).and_then(|k| k.get(name)).is_some()
                    });
                    if !ok {
                        out.push(r.clone());
                    }
                }
                map.values().for_each(|v| walk(doc, v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(doc, v, out)),
            _ => {}
        }
    }
    walk(doc, doc, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_case_stem_takes_known_casing_then_its_title() {
        let known = HashMap::from([("basereferencedto".to_string(), "BaseReferenceDto".to_string())]);
        let cased = |stem: &str, schema: Value| cased_stem(&known, stem.to_string(), Some(&schema));
        assert_eq!(cased("basereferencedto", json!({"title": "Base reference"})), "BaseReferenceDto");
        assert_eq!(cased("accountattribute", json!({"title": "accountAttribute"})), "AccountAttribute");
        assert_eq!(cased("identity", json!({"title": "IdentityDto"})), "identity", "a title that spells another name");
        assert_eq!(cased("formelement", json!({})), "formelement", "no title");
        assert_eq!(cased("Source", json!({"title": "source"})), "Source", "a cased stem stays");
    }

    #[test]
    fn webhooks_are_bundled_and_an_answer_without_status_is_hoisted() {
        let root = std::env::temp_dir().join(format!("xtask-bundle-webhooks-{}", std::process::id()));
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("api.yaml", "openapi: 3.0.1\npaths: {}\nx-webhooks:\n  Pre:\n    $ref: './v1/webhooks/pre.yaml'\n");
        write(
            "v1/webhooks/pre.yaml",
            "post:\n  operationId: preEvent\n  requestBody:\n    content:\n      application/json:\n        schema:\n          \
             $ref: '../schemas/Payload.yaml'\n  responses:\n    required: true\n    content:\n      application/json:\n        \
             schema:\n          $ref: '../schemas/Answer.yaml'\n",
        );
        write("v1/schemas/Payload.yaml", "type: object\nproperties:\n  id:\n    type: string\n");
        write("v1/schemas/Answer.yaml", "type: object\nproperties:\n  approved:\n    type: boolean\n");
        let bundled = bundle(&root, "api.yaml").unwrap();
        std::fs::remove_dir_all(&root).ok();
        let post = &bundled.doc["x-webhooks"]["Pre"]["post"];
        assert_eq!(post["operationId"], "preEvent");
        assert_eq!(post["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Payload");
        assert_eq!(post["responses"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Answer");
        assert!(bundled.doc["components"]["schemas"]["Answer"].is_object());
        assert_eq!(bundled.files.len(), 4, "{:?}", bundled.files);
    }
}
