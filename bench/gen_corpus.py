#!/usr/bin/env python3
"""Generate a synthetic but realistic multi-tenant Rust backend workspace.

Used by bench/run.sh to time tenant-lint on a corpus of a chosen size:

    python3 bench/gen_corpus.py OUT_DIR --lines 400000 --seed 1

The output is a Cargo workspace with SeaORM, Diesel and sqlx service crates
plus plain library crates. Roughly 70% of the lines are ordinary non-database
code (domain types, errors, config, HTTP clients, parsers, business logic,
tests), as in a real backend. A few percent of the queries on tenant-owned
tables are deliberately left without a tenant filter; they are listed in
OUT_DIR/corpus-manifest.json together with every other query site.

Only the standard library is used; the same seed always gives the same bytes.
The code is syntactically valid Rust (syn 2 parses every file) but is not
meant to type-check.
"""

import argparse
import json
import math
import os
import random
import sys

# ---------------------------------------------------------------- vocabulary

TENANT_NOUNS = [
    "document", "invoice", "invoice_line", "customer", "project", "task", "comment",
    "attachment", "order", "order_item", "payment", "refund", "subscription",
    "api_key", "webhook", "webhook_delivery", "audit_event", "team", "membership",
    "invitation", "product", "price", "shipment", "ticket", "message", "channel",
    "folder", "report", "dashboard", "widget", "contact", "deal", "pipeline",
    "note", "tag", "label", "workflow", "workflow_run", "approval", "budget",
    "expense", "vendor", "contract", "asset", "location", "schedule", "shift",
    "timesheet", "notification", "export_job", "import_job", "integration",
    "credential", "secret", "policy", "role_binding", "session", "device",
    "campaign", "segment", "survey", "response", "form", "submission", "quote",
    "warehouse", "stock_level", "batch", "ledger_entry", "account", "journal",
]
GLOBAL_NOUNS = [
    "country", "currency", "timezone", "feature_flag", "plan", "locale",
    "tax_rate", "industry", "holiday", "mime_type",
]
MODIFIERS = ["archived", "draft", "shared", "pending", "external", "legacy", "internal", "public"]

FIELDS = [
    # name, plain rust type, diesel sql type, seaorm rust type
    ("title", "String", "Varchar", "String"),
    ("name", "String", "Varchar", "String"),
    ("description", "Option<String>", "Nullable<Text>", "Option<String>"),
    ("status", "String", "Varchar", "String"),
    ("amount_cents", "i64", "Int8", "i64"),
    ("quantity", "i32", "Int4", "i32"),
    ("is_active", "bool", "Bool", "bool"),
    ("external_ref", "Option<String>", "Nullable<Varchar>", "Option<String>"),
    ("priority", "i16", "Int2", "i16"),
    ("metadata", "serde_json::Value", "Jsonb", "Json"),
    ("email", "String", "Varchar", "String"),
    ("slug", "String", "Varchar", "String"),
    ("currency", "String", "Bpchar", "String"),
    ("due_date", "Option<NaiveDate>", "Nullable<Date>", "Option<Date>"),
    ("score", "f64", "Float8", "f64"),
    ("position", "i32", "Int4", "i32"),
    ("locale", "String", "Varchar", "String"),
    ("owner_id", "Uuid", "Uuid", "Uuid"),
    ("created_by", "Uuid", "Uuid", "Uuid"),
    ("version", "i32", "Int4", "i32"),
    ("deleted_at", "Option<DateTime<Utc>>", "Nullable<Timestamptz>", "Option<DateTimeWithTimeZone>"),
    ("notes", "Option<String>", "Nullable<Text>", "Option<String>"),
    ("color", "Option<String>", "Nullable<Varchar>", "Option<String>"),
    ("total_cents", "i64", "Int8", "i64"),
    ("retry_count", "i32", "Int4", "i32"),
    ("url", "String", "Text", "String"),
    ("checksum", "Option<String>", "Nullable<Varchar>", "Option<String>"),
    ("size_bytes", "i64", "Int8", "i64"),
    ("is_archived", "bool", "Bool", "bool"),
    ("expires_at", "Option<DateTime<Utc>>", "Nullable<Timestamptz>", "Option<DateTimeWithTimeZone>"),
]
WORDS = [
    "account", "amount", "batch", "buffer", "cache", "cursor", "entry", "event",
    "field", "filter", "group", "header", "index", "item", "key", "limit",
    "line", "metric", "node", "offset", "option", "owner", "page", "path",
    "period", "price", "queue", "range", "rate", "record", "region", "result",
    "rule", "sample", "score", "segment", "slot", "source", "span", "stage",
    "state", "step", "target", "tier", "token", "total", "unit", "value",
    "window", "zone", "bucket", "chunk", "digest", "label", "policy", "quota",
]
VERBS = [
    "apply", "build", "compute", "collect", "convert", "derive", "estimate",
    "expand", "extract", "format", "merge", "normalize", "parse", "prepare",
    "reconcile", "render", "resolve", "round", "sanitize", "score", "split",
    "summarize", "validate", "verify", "group", "rank", "clamp", "encode",
]
DOMAINS = [
    "billing", "catalog", "ledger", "audit", "reports", "notify", "identity",
    "search", "inventory", "scheduling", "crm", "analytics", "documents", "payments",
]
LIB_CRATES = ["common", "domain", "http-clients", "text-utils", "pricing", "telemetry", "config-loader", "validation"]
COUNTRIES = [
    ("US", "USD"), ("CA", "CAD"), ("GB", "GBP"), ("DE", "EUR"), ("FR", "EUR"),
    ("ES", "EUR"), ("IT", "EUR"), ("NL", "EUR"), ("SE", "SEK"), ("NO", "NOK"),
    ("DK", "DKK"), ("CH", "CHF"), ("PL", "PLN"), ("CZ", "CZK"), ("JP", "JPY"),
    ("KR", "KRW"), ("CN", "CNY"), ("IN", "INR"), ("BR", "BRL"), ("MX", "MXN"),
    ("AU", "AUD"), ("NZ", "NZD"), ("ZA", "ZAR"), ("SG", "SGD"), ("HK", "HKD"),
    ("AE", "AED"), ("IL", "ILS"), ("TR", "TRY"), ("AR", "ARS"), ("CL", "CLP"),
]


def camel(snake):
    return "".join(p[:1].upper() + p[1:] for p in snake.split("_"))


def plural(s):
    if s.endswith("y") and s[-2:-1] not in "aeiou":
        return s[:-1] + "ies"
    if s.endswith(("s", "x", "ch", "sh")):
        return s + "es"
    return s + "s"


class Table:
    def __init__(self, singular, tenant_col, fields):
        self.singular = singular            # module / row name: invoice_line
        self.name = plural(singular)         # table name: invoice_lines
        self.struct = camel(singular)        # InvoiceLine
        self.tenant_col = tenant_col         # "tenant_id" | "org_id" | None
        self.fields = fields                 # list of FIELDS entries
        self.parent = None                   # Table this one belongs to (fk)


# ---------------------------------------------------------------- generator


class Gen:
    def __init__(self, out, target_lines, seed, db_share):
        self.rng = random.Random(seed)
        self.out = out
        self.target = target_lines
        self.db_share = db_share
        self.total_lines = 0
        self.db_lines = 0
        self.files = 0
        self.queries = []    # manifest of query sites
        self.crates = []

    # ------------------------------------------------------------ helpers

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def ident(self):
        return self.pick(VERBS) + "_" + self.pick(WORDS)

    def type_name(self):
        return camel(self.pick(WORDS)) + self.pick(["", "Info", "Spec", "Summary", "Config", "Entry", "Stats", "Window", "Plan"])

    def file_size(self):
        if self.chance(0.03):
            return self.rng.randint(800, 1500)
        if self.chance(0.10):
            return self.rng.randint(20, 90)
        return int(min(1500, max(20, self.rng.lognormvariate(math.log(220), 0.45))))

    def write(self, rel, lines, db):
        text = "\n".join(lines).rstrip("\n") + "\n"
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", newline="\n") as f:
            f.write(text)
        if rel.endswith(".rs"):
            n = text.count("\n")
            self.total_lines += n
            self.files += 1
            if db:
                self.db_lines += n
        return text

    # ------------------------------------------------------------ non-DB items

    def fields_for_struct(self, n):
        fs = self.rng.sample(FIELDS, min(n, len(FIELDS)))
        return [(f[0], f[1]) for f in fs]

    def item_struct(self, names):
        name = self.unique_type(names)
        fields = self.fields_for_struct(self.rng.randint(3, 10))
        out = [f"/// {camel(self.pick(WORDS))} data carried between the {self.pick(DOMAINS)} layers.",
               "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]"]
        if self.chance(0.6):
            out.append('#[serde(rename_all = "camelCase")]')
        out.append(f"pub struct {name} {{")
        for fname, fty in fields:
            if self.chance(0.3):
                out.append(f"    /// The {fname.replace('_', ' ')} of this {name.lower()}.")
            if fty.startswith("Option"):
                out.append('    #[serde(default, skip_serializing_if = "Option::is_none")]')
            out.append(f"    pub {fname}: {fty},")
        out.append("}")
        out.append("")
        out.append(f"impl {name} {{")
        args = ", ".join(f"{f}: {t}" for f, t in fields[:3])
        out.append(f"    pub fn new({args}) -> Self {{")
        out.append("        Self {")
        for f, t in fields:
            if f in [x for x, _ in fields[:3]]:
                out.append(f"            {f},")
            else:
                out.append(f"            {f}: Default::default(),")
        out.append("        }")
        out.append("    }")
        for f, t in fields:
            if self.chance(0.35):
                if t == "String":
                    out += ["", f"    pub fn {f}(&self) -> &str {{", f"        &self.{f}", "    }"]
                elif t.startswith("Option<String"):
                    out += ["", f"    pub fn {f}(&self) -> Option<&str> {{", f"        self.{f}.as_deref()", "    }"]
                elif t in ("i64", "i32", "i16", "f64", "bool"):
                    out += ["", f"    pub fn with_{f}(mut self, {f}: {t}) -> Self {{", f"        self.{f} = {f};", "        self", "    }"]
        out.append("}")
        return out

    def unique_type(self, names):
        for _ in range(50):
            n = self.type_name()
            if n not in names:
                names.add(n)
                return n
        n = self.type_name() + str(len(names))
        names.add(n)
        return n

    def item_enum(self, names):
        name = self.unique_type(names)
        variants = self.rng.sample([camel(w) for w in WORDS], self.rng.randint(3, 14))
        out = ["#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]",
               '#[serde(rename_all = "snake_case")]', f"pub enum {name} {{"]
        for v in variants:
            if self.chance(0.2):
                out.append(f"    /// {v} as reported by the upstream system.")
            out.append(f"    {v},")
        out += ["}", "", f"impl {name} {{", "    pub fn as_str(&self) -> &'static str {", "        match self {"]
        for v in variants:
            out.append(f'            {name}::{v} => "{v.lower()}",')
        out += ["        }", "    }", "", "    pub fn all() -> &'static [Self] {", "        &["]
        for v in variants:
            out.append(f"            {name}::{v},")
        out += ["        ]", "    }", "}", "", f"impl std::str::FromStr for {name} {{", "    type Err = String;", "",
                "    fn from_str(s: &str) -> Result<Self, Self::Err> {", "        match s.trim().to_ascii_lowercase().as_str() {"]
        for v in variants:
            out.append(f'            "{v.lower()}" => Ok({name}::{v}),')
        out += [f'            other => Err(format!("unknown {name.lower()}: {{other}}")),', "        }", "    }", "}"]
        return out

    def item_error(self, names):
        name = self.unique_type(names) + "Error"
        kinds = [
            ("NotFound", "{ id: String }", 'write!(f, "not found: {id}")', "NotFound { id }"),
            ("Invalid", "(String)", 'write!(f, "invalid input: {msg}")', "Invalid(msg)"),
            ("Io", "(std::io::Error)", 'write!(f, "i/o error: {err}")', "Io(err)"),
            ("Timeout", "{ after_ms: u64 }", 'write!(f, "timed out after {after_ms} ms")', "Timeout { after_ms }"),
            ("Conflict", "{ key: String, version: i32 }", 'write!(f, "conflict on {key} at version {version}")', "Conflict { key, version }"),
            ("Upstream", "{ status: u16, body: String }", 'write!(f, "upstream returned {status}: {body}")', "Upstream { status, body }"),
            ("Parse", "(std::num::ParseIntError)", 'write!(f, "parse error: {err}")', "Parse(err)"),
            ("Unauthorized", "", 'f.write_str("unauthorized")', "Unauthorized"),
            ("RateLimited", "{ retry_after: u64 }", 'write!(f, "rate limited, retry after {retry_after}s")', "RateLimited { retry_after }"),
            ("Serde", "(serde_json::Error)", 'write!(f, "serialization: {err}")', "Serde(err)"),
        ]
        chosen = self.rng.sample(kinds, self.rng.randint(4, len(kinds)))
        out = [f"/// Errors returned by the {self.pick(DOMAINS)} module.", "#[derive(Debug)]", f"pub enum {name} {{"]
        for v, body, _, _ in chosen:
            out.append(f"    {v}{(' ' + body) if body.startswith('{') else body},")
        out += ["}", "", f"impl fmt::Display for {name} {{", "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {", "        match self {"]
        for v, _, disp, pat in chosen:
            out.append(f"            {name}::{pat} => {disp},")
        out += ["        }", "    }", "}", "", f"impl std::error::Error for {name} {{",
                "    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {", "        match self {"]
        for v, body, _, _ in chosen:
            if v in ("Io", "Parse", "Serde"):
                out.append(f"            {name}::{v}(err) => Some(err),")
        out += ["            _ => None,", "        }", "    }", "}"]
        for v, body, _, _ in chosen:
            if v in ("Io", "Parse", "Serde"):
                src = body[1:-1]
                out += ["", f"impl From<{src}> for {name} {{", f"    fn from(err: {src}) -> Self {{", f"        {name}::{v}(err)", "    }", "}"]
        return out

    def item_config(self, names):
        name = self.unique_type(names) + "Settings"
        opts = self.rng.sample([
            ("listen_addr", "String", '"0.0.0.0:8080".to_string()', "v"),
            ("max_connections", "u32", "32", "v.parse().unwrap_or(32)"),
            ("request_timeout_ms", "u64", "5_000", "v.parse().unwrap_or(5_000)"),
            ("retry_attempts", "u8", "3", "v.parse().unwrap_or(3)"),
            ("log_level", "String", '"info".to_string()', "v"),
            ("enable_metrics", "bool", "true", 'matches!(v.as_str(), "1" | "true" | "yes")'),
            ("region", "String", '"eu-west-1".to_string()', "v"),
            ("batch_size", "usize", "500", "v.parse().unwrap_or(500)"),
            ("cache_ttl_secs", "u64", "300", "v.parse().unwrap_or(300)"),
            ("base_url", "String", '"http://localhost:9000".to_string()', 'v.trim_end_matches(\'/\').to_string()'),
        ], self.rng.randint(4, 9))
        prefix = self.pick(DOMAINS).upper()
        out = ["/// Runtime settings, read once at start-up from the environment.", "#[derive(Debug, Clone, Deserialize)]", f"pub struct {name} {{"]
        for n, t, _, _ in opts:
            out.append(f"    pub {n}: {t},")
        out += ["}", "", f"impl Default for {name} {{", "    fn default() -> Self {", "        Self {"]
        for n, _, d, _ in opts:
            out.append(f"            {n}: {d},")
        out += ["        }", "    }", "}", "", f"impl {name} {{", "    pub fn from_env() -> Self {", "        let mut cfg = Self::default();"]
        for n, _, _, conv in opts:
            out += [f'        if let Ok(v) = std::env::var("{prefix}_{n.upper()}") {{', f"            cfg.{n} = {conv};", "        }"]
        out += ["        cfg", "    }", "", "    pub fn validate(&self) -> Result<(), String> {"]
        for n, t, _, _ in opts:
            if t in ("u32", "u64", "usize", "u8"):
                out += [f"        if self.{n} == 0 {{", f'            return Err("{n} must be positive".into());', "        }"]
            elif t == "String":
                out += [f"        if self.{n}.is_empty() {{", f'            return Err("{n} must not be empty".into());', "        }"]
        out += ["        Ok(())", "    }", "}"]
        return out

    def item_http_client(self, names):
        name = self.unique_type(names) + "Client"
        res = self.pick(TENANT_NOUNS)
        out = [f"/// Thin wrapper around the {res.replace('_', ' ')} service REST API.", "#[derive(Clone)]", f"pub struct {name} {{",
               "    http: reqwest::Client,", "    base_url: String,", "    token: Option<String>,", "    max_retries: u32,", "}", "",
               f"impl {name} {{", "    pub fn new(base_url: impl Into<String>) -> Self {", "        Self {",
               "            http: reqwest::Client::new(),", "            base_url: base_url.into(),", "            token: None,",
               "            max_retries: 3,", "        }", "    }", "", "    pub fn with_token(mut self, token: &str) -> Self {",
               "        self.token = Some(token.to_owned());", "        self", "    }"]
        for _ in range(self.rng.randint(2, 5)):
            verb = self.pick(["get", "list", "create", "delete", "refresh", "sync"])
            fname = f"{verb}_{res}_{self.pick(WORDS)}"
            method = {"get": "get", "list": "get", "create": "post", "delete": "delete", "refresh": "put", "sync": "post"}[verb]
            out += ["", f"    pub async fn {fname}(&self, key: &str) -> Result<serde_json::Value, ClientError> {{",
                    f'        let url = format!("{{}}/v1/{plural(res)}/{{}}", self.base_url, urlencoding::encode(key));',
                    "        let mut attempt = 0;", "        loop {",
                    f"            let mut req = self.http.{method}(&url).header(\"accept\", \"application/json\");",
                    "            if let Some(token) = &self.token {", "                req = req.bearer_auth(token);", "            }",
                    "            let resp = req.send().await.map_err(|e| ClientError::Transport(e.to_string()))?;",
                    "            match resp.status().as_u16() {",
                    "                200..=299 => return resp.json().await.map_err(|e| ClientError::Decode(e.to_string())),",
                    "                404 => return Err(ClientError::NotFound(key.to_string())),",
                    "                429 | 502 | 503 if attempt < self.max_retries => {",
                    "                    attempt += 1;",
                    "                    let backoff = Duration::from_millis(100 * 2u64.pow(attempt));",
                    "                    tokio::time::sleep(backoff).await;", "                }",
                    "                status => {", "                    let body = resp.text().await.unwrap_or_default();",
                    "                    return Err(ClientError::Status { status, body });", "                }",
                    "            }", "        }", "    }"]
        out.append("}")
        return out

    def item_parser(self, names):
        tok = self.unique_type(names) + "Token"
        fn = "tokenize_" + self.pick(WORDS)
        return [f"#[derive(Debug, Clone, PartialEq)]", f"pub enum {tok} {{", "    Ident(String),", "    Number(f64),", "    Str(String),",
                "    Op(char),", "    LParen,", "    RParen,", "    Comma,", "}", "",
                f"/// Splits an expression such as `sum(total, 2.5) * rate` into tokens.",
                f"pub fn {fn}(input: &str) -> Result<Vec<{tok}>, String> {{",
                "    let mut out = Vec::new();", "    let mut chars = input.char_indices().peekable();",
                "    while let Some((i, c)) = chars.next() {", "        match c {",
                "            ' ' | '\\t' | '\\n' | '\\r' => continue,",
                f"            '(' => out.push({tok}::LParen),", f"            ')' => out.push({tok}::RParen),",
                f"            ',' => out.push({tok}::Comma),", f"            '+' | '-' | '*' | '/' | '%' => out.push({tok}::Op(c)),",
                "            '0'..='9' | '.' => {", "                let mut end = i + c.len_utf8();",
                "                while let Some(&(j, d)) = chars.peek() {", "                    if d.is_ascii_digit() || d == '.' || d == '_' {",
                "                        end = j + d.len_utf8();", "                        chars.next();", "                    } else {",
                "                        break;", "                    }", "                }",
                "                let text: String = input[i..end].chars().filter(|c| *c != '_').collect();",
                f"                let n = text.parse::<f64>().map_err(|e| format!(\"bad number {{text:?}} at {{i}}: {{e}}\"))?;",
                f"                out.push({tok}::Number(n));", "            }",
                "            'a'..='z' | 'A'..='Z' | '_' => {", "                let mut ident = String::from(c);",
                "                while let Some(&(_, d)) = chars.peek() {", "                    if d.is_alphanumeric() || d == '_' {",
                "                        ident.push(d);", "                        chars.next();", "                    } else {",
                "                        break;", "                    }", "                }", f"                out.push({tok}::Ident(ident));", "            }",
                "            '\"' => {", "                let mut s = String::new();", "                let mut closed = false;",
                "                for (_, d) in chars.by_ref() {", "                    if d == '\"' {", "                        closed = true;",
                "                        break;", "                    }", "                    s.push(d);", "                }",
                "                if !closed {", "                    return Err(format!(\"unterminated string at {i}\"));", "                }",
                f"                out.push({tok}::Str(s));", "            }",
                "            other => return Err(format!(\"unexpected {other:?} at {i}\")),", "        }", "    }", "    Ok(out)", "}"]

    def item_logic(self, names):
        item = self.pick(["LineItem", "Entry", "Record", "Sample", "Charge", "Usage", "Event"])
        key = self.pick(["region", "owner_id", "currency", "category", "status"])
        fn = self.ident()
        out = [f"/// {camel(fn)}: aggregates {item.lower()}s per {key.replace('_', ' ')}, ignoring inactive ones.",
               f"pub fn {fn}(items: &[{item}], threshold: i64) -> Vec<({self.pick(['String', 'Uuid'])}, i64, usize)> {{",
               "    let mut groups: HashMap<_, Vec<&" + item + ">> = HashMap::new();",
               "    for item in items.iter().filter(|i| i.is_active && !i.is_archived) {",
               f"        groups.entry(item.{key}.clone()).or_default().push(item);", "    }",
               "    let mut out: Vec<_> = groups", "        .into_iter()", "        .map(|(k, v)| {",
               "            let total: i64 = v.iter().map(|i| i.amount_cents).sum();", "            (k, total, v.len())", "        })",
               "        .filter(|(_, total, _)| *total >= threshold)", "        .collect();",
               "    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));", "    out", "}"]
        if self.chance(0.7):
            fn2 = self.ident()
            out += ["", f"pub fn {fn2}(values: &[f64], window: usize) -> Option<Vec<f64>> {{",
                    "    if window == 0 || values.len() < window {", "        return None;", "    }",
                    "    let smoothed = values", "        .windows(window)", "        .map(|w| w.iter().sum::<f64>() / window as f64)",
                    "        .collect::<Vec<_>>();",
                    "    if smoothed.iter().all(|v| v.is_finite()) {", "        Some(smoothed)", "    } else {", "        None", "    }", "}"]
        if self.chance(0.6):
            fn3 = self.ident()
            out += ["", f"pub fn {fn3}<'a>(entries: &'a [{item}], needle: &str) -> Option<&'a {item}> {{",
                    "    let needle = needle.trim().to_lowercase();", "    entries",
                    "        .iter()", "        .filter(|e| !e.name.is_empty())",
                    "        .find(|e| e.name.to_lowercase().contains(&needle) || e.slug == needle)", "}"]
        if self.chance(0.5):
            fn4 = self.ident()
            out += ["", f"pub fn {fn4}(items: &mut Vec<{item}>, max_per_owner: usize) -> usize {{",
                    "    let before = items.len();", "    let mut seen: HashMap<Uuid, usize> = HashMap::new();",
                    "    items.retain(|item| {", "        let n = seen.entry(item.owner_id).or_insert(0);", "        *n += 1;",
                    "        *n <= max_per_owner", "    });",
                    "    items.sort_by_key(|i| (std::cmp::Reverse(i.priority), i.position));",
                    "    let chunks = items.chunks(16).map(|c| c.len()).filter(|n| *n > 0).count();",
                    "    debug_assert!(chunks <= items.len());", "    before - items.len()", "}"]
        return out

    def item_long_match(self, names):
        fn = self.pick(["currency_for_country", "vat_rate_percent", "region_for_country", "default_locale"])
        fn = f"{fn}_{self.pick(WORDS)}"
        rows = self.rng.sample(COUNTRIES, self.rng.randint(10, len(COUNTRIES)))
        out = [f"pub fn {fn}(code: &str) -> Option<&'static str> {{", "    let v = match code.to_ascii_uppercase().as_str() {"]
        for c, cur in rows:
            out.append(f'        "{c}" => "{cur}",')
        out += ["        _ => return None,", "    };", "    Some(v)", "}"]
        if self.chance(0.5):
            f2 = "status_message_" + self.pick(WORDS)
            out += ["", f"pub fn {f2}(status: u16) -> &'static str {{", "    match status {"]
            for s, m in [(200, "OK"), (201, "Created"), (202, "Accepted"), (204, "No Content"), (301, "Moved Permanently"),
                         (304, "Not Modified"), (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"),
                         (404, "Not Found"), (409, "Conflict"), (422, "Unprocessable Entity"), (429, "Too Many Requests"),
                         (500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout")]:
                out.append(f'        {s} => "{m}",')
            out += ['        100..=199 => "Informational",', '        200..=299 => "Success",', '        _ => "Unknown",', "    }", "}"]
        return out

    def item_trait(self, names):
        tr = self.unique_type(names) + "Source"
        impls = [self.unique_type(names) for _ in range(self.rng.randint(2, 4))]
        out = [f"pub trait {tr} {{", "    fn id(&self) -> &str;", "    fn weight(&self) -> u32;", "",
               "    fn describe(&self) -> String {", '        format!("{}#{}", self.id(), self.weight())', "    }", "}"]
        for im in impls:
            w = self.rng.randint(1, 100)
            out += ["", "#[derive(Debug, Default)]", f"pub struct {im} {{", "    id: String,", "    boost: u32,", "}", "",
                    f"impl {tr} for {im} {{", "    fn id(&self) -> &str {", "        &self.id", "    }", "",
                    "    fn weight(&self) -> u32 {", f"        {w} + self.boost.min({w * 3})", "    }", "}"]
        out += ["", f"pub fn heaviest<'a>(sources: &'a [Box<dyn {tr}>]) -> Option<&'a dyn {tr}> {{",
                "    sources.iter().map(|s| s.as_ref()).max_by_key(|s| s.weight())", "}"]
        return out

    def item_generic(self, names):
        fn = self.ident()
        return [f"/// Generic helper used by several call sites; keeps the first element per key.",
                f"pub fn {fn}<T, K, F>(items: impl IntoIterator<Item = T>, mut key: F) -> Vec<T>",
                "where", "    K: Eq + std::hash::Hash,", "    F: FnMut(&T) -> K,", "{",
                "    let mut seen = std::collections::HashSet::new();", "    items", "        .into_iter()",
                "        .filter(|item| seen.insert(key(item)))", "        .collect()", "}", "",
                f"pub fn {fn}_sorted<T: Ord + Clone>(mut items: Vec<T>, limit: Option<usize>) -> Vec<T> {{",
                "    items.sort_unstable();", "    items.dedup();", "    if let Some(limit) = limit {", "        items.truncate(limit);", "    }", "    items", "}"]

    def item_state_machine(self, names):
        st = self.unique_type(names) + "State"
        ev = st[:-5] + "Event"
        names.add(ev)
        states = self.rng.sample(["Draft", "Pending", "Active", "Paused", "Failed", "Done", "Cancelled", "Review", "Queued"], 5)
        events = ["Submit", "Approve", "Reject", "Pause", "Resume", "Cancel", "Fail", "Finish"]
        out = ["#[derive(Debug, Clone, Copy, PartialEq, Eq)]", f"pub enum {st} {{"] + [f"    {s}," for s in states] + ["}", "",
               "#[derive(Debug, Clone, Copy)]", f"pub enum {ev} {{"] + [f"    {e}," for e in events] + ["}", "",
               f"impl {st} {{", f"    pub fn next(self, event: {ev}) -> Result<Self, String> {{", "        use " + ev + "::*;", "        match (self, event) {"]
        for _ in range(self.rng.randint(5, 12)):
            a, b = self.pick(states), self.pick(states)
            out.append(f"            ({st}::{a}, {self.pick(events)}) => Ok({st}::{b}),")
        out += [f'            (s, e) => Err(format!("cannot apply {{e:?}} in state {{s:?}}")),', "        }", "    }", "",
                "    pub fn is_terminal(self) -> bool {", f"        matches!(self, {st}::{states[-1]} | {st}::{states[-2]})", "    }", "}"]
        return out

    def item_builder(self, names):
        name = self.unique_type(names) + "Request"
        fields = self.fields_for_struct(self.rng.randint(3, 7))
        out = ["#[derive(Debug, Clone, Default)]", f"pub struct {name}Builder {{"]
        for f, t in fields:
            inner = t[7:-1] if t.startswith("Option<") else t
            out.append(f"    {f}: Option<{inner}>,")
        out += ["}", "", f"impl {name}Builder {{"]
        for f, t in fields:
            inner = t[7:-1] if t.startswith("Option<") else t
            arg = "impl Into<String>" if inner == "String" else inner
            val = f"{f}.into()" if inner == "String" else f
            out += [f"    pub fn {f}(mut self, {f}: {arg}) -> Self {{", f"        self.{f} = Some({val});", "        self", "    }", ""]
        out += [f"    pub fn build(self) -> Result<{name}, &'static str> {{", f"        Ok({name} {{"]
        for f, t in fields:
            if t.startswith("Option<"):
                out.append(f"            {f}: self.{f},")
            else:
                out.append(f'            {f}: self.{f}.ok_or("{f} is required")?,')
        out += ["        })", "    }", "}", "", "#[derive(Debug, Clone)]", f"pub struct {name} {{"]
        for f, t in fields:
            out.append(f"    pub {f}: {t},")
        out.append("}")
        return out

    def item_macro(self, names):
        m = "impl_" + self.pick(WORDS) + "_id"
        ids = [self.unique_type(names) + "Id" for _ in range(self.rng.randint(2, 5))]
        out = [f"macro_rules! {m} {{", "    ($($name:ident),* $(,)?) => {", "        $(",
               "            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]",
               "            pub struct $name(pub Uuid);", "", "            impl fmt::Display for $name {",
               "                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {",
               "                    self.0.fmt(f)", "                }", "            }", "        )*", "    };", "}", "",
               f"{m}!({', '.join(ids)});"]
        return out

    def item_consts(self, names):
        c = self.pick(WORDS).upper() + "_LIMITS"
        out = [f"pub const {c}: &[(&str, u32, f64)] = &["]
        for code, cur in self.rng.sample(COUNTRIES, self.rng.randint(6, 20)):
            out.append(f'    ("{code}", {self.rng.randint(1, 5000)}, {self.rng.randint(0, 999) / 10}),')
        out += ["];", "", f"pub const DEFAULT_{self.pick(WORDS).upper()}_TIMEOUT: Duration = Duration::from_secs({self.rng.randint(1, 120)});"]
        return out

    def item_async_worker(self, names):
        name = self.unique_type(names) + "Worker"
        return [f"pub struct {name} {{", "    rx: tokio::sync::mpsc::Receiver<Job>,", "    concurrency: usize,", "    processed: u64,", "}", "",
                f"impl {name} {{", "    pub async fn run(mut self) -> anyhow::Result<u64> {",
                "        let mut in_flight = Vec::with_capacity(self.concurrency);",
                "        while let Some(job) = self.rx.recv().await {",
                "            let Some(deadline) = job.deadline else {",
                "                tracing::warn!(job = %job.id, \"job without deadline, skipping\");", "                continue;", "            };",
                "            in_flight.push(tokio::spawn(async move {",
                "                tokio::time::timeout(deadline, job.execute()).await", "            }));",
                "            if in_flight.len() >= self.concurrency {",
                "                for handle in in_flight.drain(..) {", "                    match handle.await {",
                "                        Ok(Ok(Ok(()))) => self.processed += 1,",
                "                        Ok(Ok(Err(e))) => tracing::error!(error = %e, \"job failed\"),",
                "                        Ok(Err(_)) => tracing::error!(\"job timed out\"),",
                "                        Err(join) => tracing::error!(error = %join, \"job panicked\"),", "                    }",
                "                }", "            }", "        }", "        Ok(self.processed)", "    }", "}"]

    def tests_module(self, fn_names):
        out = ["", "#[cfg(test)]", "mod tests {", "    use super::*;"]
        for i in range(self.rng.randint(2, 7)):
            t = f"{self.pick(VERBS)}_{self.pick(WORDS)}_{self.pick(['works', 'handles_empty', 'rejects_invalid', 'roundtrips', 'is_stable'])}_{i}"
            out += ["", "    #[test]", f"    fn {t}() {{",
                    f"        let input = vec![{', '.join(str(self.rng.randint(0, 999)) for _ in range(self.rng.randint(2, 6)))}];",
                    "        let total: i32 = input.iter().copied().sum();", "        assert!(total >= 0);"]
            if self.chance(0.5):
                out += [f'        let parsed: Result<u32, _> = "{self.rng.randint(0, 9999)}".parse();', "        assert!(parsed.is_ok());"]
            if self.chance(0.5):
                out += [f"        assert_eq!(input.len(), {0}.max(input.len()));"]
            if fn_names and self.chance(0.3):
                out.append(f"        let _ = {self.pick(fn_names)};")
            out.append("    }")
        out.append("}")
        return out

    NONDB_ITEMS = ["item_struct", "item_struct", "item_enum", "item_error", "item_config", "item_http_client",
                   "item_parser", "item_logic", "item_logic", "item_long_match", "item_trait", "item_generic",
                   "item_state_machine", "item_builder", "item_macro", "item_consts", "item_async_worker"]

    def std_header(self):
        return ["use std::collections::HashMap;", "use std::fmt;", "use std::time::Duration;", "",
                "use serde::{Deserialize, Serialize};", "use uuid::Uuid;"]

    def nondb_file(self, size, extra_header=()):
        names = set()
        out = [f"//! {camel(self.pick(VERBS))} and {self.pick(VERBS)} helpers for {self.pick(WORDS)} {self.pick(WORDS)}s.", ""]
        out += self.std_header() + list(extra_header)
        while len(out) < size:
            out.append("")
            out += getattr(self, self.pick(self.NONDB_ITEMS))(names)
        if self.chance(0.45):
            out += self.tests_module([])
        return out

    # ------------------------------------------------------------ tables

    def make_tables(self, n, tenant_col):
        tables = []
        used = set()
        nouns = list(TENANT_NOUNS)
        self.rng.shuffle(nouns)
        globals_ = self.rng.sample(GLOBAL_NOUNS, max(1, n // 8))
        for g in globals_:
            used.add(g)
            tables.append(Table(g, None, self.rng.sample(FIELDS[:8], 3)))
        i = 0
        while len(tables) < n:
            base = nouns[i % len(nouns)]
            if i >= len(nouns):
                base = f"{MODIFIERS[(i // len(nouns) - 1) % len(MODIFIERS)]}_{base}"
            i += 1
            if base in used:
                continue
            used.add(base)
            t = Table(base, tenant_col, self.rng.sample(FIELDS, self.rng.randint(4, 12)))
            tenant_tables = [x for x in tables if x.tenant_col]
            if tenant_tables and self.chance(0.5):
                t.parent = self.pick(tenant_tables)
            tables.append(t)
        return tables

    def record(self, crate, rel, fn, orm, table, kind, scoped):
        self.queries.append({"crate": crate, "file": rel, "fn": fn, "orm": orm, "table": table.name,
                             "tenant_column": table.tenant_col, "kind": kind, "scoped": scoped})

    def decide_scoped(self, table):
        if table.tenant_col is None:
            return None     # global table, no tenant column
        return not self.chance(0.04)

    # ------------------------------------------------------------ SeaORM

    def seaorm_entity(self, t, tables):
        tc = t.tenant_col
        out = [f"//! `SeaORM` Entity for table `{t.name}`", "", "use sea_orm::entity::prelude::*;", "use serde::{Deserialize, Serialize};", "",
               "#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]",
               f'#[sea_orm(table_name = "{t.name}")]', "pub struct Model {", "    #[sea_orm(primary_key, auto_increment = false)]", "    pub id: Uuid,"]
        if tc:
            out.append(f"    pub {tc}: Uuid,")
        if t.parent:
            out.append(f"    pub {t.parent.singular}_id: Uuid,")
        for f in t.fields:
            if f[3].startswith("Option<String") and self.chance(0.5):
                out.append('    #[sea_orm(column_type = "Text", nullable)]')
            if f[0] == "slug":
                out.append("    #[sea_orm(unique)]")
            out.append(f"    pub {f[0]}: {f[3]},")
        out += ["    pub created_at: DateTimeWithTimeZone,", "    pub updated_at: DateTimeWithTimeZone,", "}", "",
                "#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]", "pub enum Relation {"]
        rels = []
        if t.parent:
            p = t.parent
            out += ["    #[sea_orm(", f'        belongs_to = "super::{p.singular}::Entity",', f'        from = "Column::{camel(p.singular)}Id",',
                    f'        to = "super::{p.singular}::Column::Id",', '        on_update = "NoAction",', '        on_delete = "Cascade"', "    )]",
                    f"    {camel(p.singular)},"]
            rels.append(p)
        for c in tables:
            if c.parent is t:
                out += [f'    #[sea_orm(has_many = "super::{c.singular}::Entity")]', f"    {camel(c.singular)},"]
                rels.append(c)
        out.append("}")
        for r in rels:
            out += ["", f"impl Related<super::{r.singular}::Entity> for Entity {{", "    fn to() -> RelationDef {",
                    f"        Relation::{camel(r.singular)}.def()", "    }", "}"]
        out += ["", "impl ActiveModelBehavior for ActiveModel {}"]
        return out

    def seaorm_query_fn(self, crate, rel, t, fnames, tables):
        m = t.singular
        tc = t.tenant_col
        tcc = camel(tc) if tc else None
        scoped = self.decide_scoped(t)
        kind = self.pick(["list", "list", "get", "get", "cond", "update_many", "delete", "insert", "paginate", "count", "helper"])
        fn = f"{self.pick({'list': ['list', 'search', 'browse'], 'get': ['get', 'show', 'fetch'], 'cond': ['filter', 'query', 'find'], 'update_many': ['archive', 'bulk_update', 'reassign'], 'delete': ['delete', 'purge', 'remove'], 'insert': ['create', 'add'], 'paginate': ['page', 'paginate'], 'count': ['count', 'tally'], 'helper': ['load', 'lookup']}[kind])}_{plural(m) if kind in ('list', 'cond', 'paginate', 'count', 'update_many') else m}"
        base = fn
        k = 2
        while fn in fnames:
            fn = f"{base}_{k}"
            k += 1
        fnames.add(fn)
        E, C = f"{m}::Entity", f"{m}::Column"
        tf = f"        .filter({C}::{tcc}.eq(auth.org_id))" if (tc and scoped) else None
        sig_state = "State(state): State<AppState>,\n    auth: AuthContext,"
        out = []
        if kind == "list":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Query(params): Query<ListParams>,",
                    f") -> Result<Json<Vec<{m}::Model>>, ApiError> {{", "    let db = &state.db;",
                    "    let limit = params.limit.unwrap_or(50).min(500);", f"    let rows = {E}::find()"]
            if tf:
                out.append(tf)
            if self.chance(0.5):
                out.append(f"        .filter({C}::IsActive.eq(true))")
            out += [f"        .order_by_desc({C}::CreatedAt)", "        .limit(limit)", "        .all(db)", "        .await?;",
                    "    Ok(Json(rows))", "}"]
        elif kind == "get":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Path(id): Path<Uuid>,", f") -> Result<Json<{m}::Model>, ApiError> {{"]
            if tc and scoped and self.chance(0.3):
                # scoped by checking the loaded row afterwards
                out += [f"    let row = {E}::find_by_id(id)", "        .one(&state.db)", "        .await?", "        .ok_or(ApiError::NotFound)?;",
                        f"    if row.{tc} != auth.org_id {{", "        return Err(ApiError::NotFound);", "    }", "    Ok(Json(row))", "}"]
                kind = "get_checked"
            else:
                out += [f"    let row = {E}::find_by_id(id)"] + ([tf] if tf else []) + [
                    "        .one(&state.db)", "        .await?", "        .ok_or(ApiError::NotFound)?;", "    Ok(Json(row))", "}"]
        elif kind == "cond":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Json(req): Json<SearchRequest>,",
                    f") -> Result<Json<Vec<{m}::Model>>, ApiError> {{", "    let mut cond = Condition::all()"]
            if tc and scoped:
                out.append(f"        .add({C}::{tcc}.eq(auth.org_id))")
            out += [f"        .add({C}::CreatedAt.gte(req.since));", "    if let Some(q) = req.query.as_deref().filter(|q| !q.is_empty()) {",
                    "        cond = cond.add(", "            Condition::any()", f"                .add({C}::Id.eq(q.parse::<Uuid>().unwrap_or_default()))",
                    f'                .add({C}::CreatedAt.lte(req.until)),', "        );", "    }",
                    f"    let rows = {E}::find().filter(cond).all(&state.db).await?;", "    Ok(Json(rows))", "}"]
        elif kind == "update_many":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Json(req): Json<BulkRequest>,",
                    ") -> Result<Json<BulkResponse>, ApiError> {", f"    let res = {E}::update_many()",
                    f"        .col_expr({C}::UpdatedAt, Expr::value(chrono::Utc::now()))"]
            if tf:
                out.append(tf)
            out += [f"        .filter({C}::Id.is_in(req.ids.clone()))", "        .exec(&state.db)", "        .await?;",
                    "    Ok(Json(BulkResponse { affected: res.rows_affected }))", "}"]
        elif kind == "delete":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Path(id): Path<Uuid>,", ") -> Result<StatusCode, ApiError> {",
                    f"    let res = {E}::delete_many()", f"        .filter({C}::Id.eq(id))"] + ([tf] if tf else []) + [
                    "        .exec(&state.db)", "        .await?;", "    if res.rows_affected == 0 {", "        return Err(ApiError::NotFound);", "    }",
                    "    Ok(StatusCode::NO_CONTENT)", "}"]
        elif kind == "insert":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Json(req): Json<serde_json::Value>,",
                    f") -> Result<Json<{m}::Model>, ApiError> {{", f"    let model = {m}::ActiveModel {{", "        id: Set(Uuid::new_v4()),"]
            if tc:
                out.append(f"        {tc}: Set(auth.org_id),")
            out += ["        created_at: Set(chrono::Utc::now().into()),", "        ..Default::default()", "    };",
                    "    let _ = req;", "    let row = model.insert(&state.db).await?;", "    Ok(Json(row))", "}"]
            scoped = None if tc is None else True
        elif kind == "paginate":
            out += [f"pub async fn {fn}(", f"    {sig_state}", "    Query(params): Query<ListParams>,",
                    f") -> Result<Json<Page<{m}::Model>>, ApiError> {{", f"    let paginator = {E}::find()"] + ([tf] if tf else []) + [
                    f"        .order_by_asc({C}::Id)", "        .paginate(&state.db, params.per_page.unwrap_or(25));",
                    "    let total = paginator.num_items().await?;", "    let items = paginator.fetch_page(params.page.unwrap_or(0)).await?;",
                    "    Ok(Json(Page { items, total }))", "}"]
        elif kind == "count":
            out += [f"pub async fn {fn}(", f"    {sig_state}", ") -> Result<Json<u64>, ApiError> {", f"    let n = {E}::find()"] + ([tf] if tf else []) + [
                    "        .count(&state.db)", "        .await?;", "    Ok(Json(n))", "}"]
        else:  # helper: a plain fn taking db + org id, scope via helper
            out += [f"pub async fn {fn}(", "    db: &DatabaseConnection,", "    org_id: Uuid,", "    ids: Vec<Uuid>,",
                    f") -> Result<Vec<{m}::Model>, DbErr> {{", f"    {E}::find()"]
            if tc and scoped:
                out.append(f"        .filter({C}::{tcc}.eq(org_id))")
            out += [f"        .filter({C}::Id.is_in(ids))", "        .all(db)", "        .await", "}"]
        self.record(crate, rel, fn, "seaorm", t, kind, scoped)
        return out

    def seaorm_handler_file(self, crate, rel, size, tables, prim):
        others = self.rng.sample(tables, min(len(tables), 2))
        mods = sorted({prim.singular} | {o.singular for o in others})
        out = [f"//! HTTP handlers for {prim.name.replace('_', ' ')}.", "",
               "use axum::extract::{Path, Query, State};", "use axum::http::StatusCode;", "use axum::Json;",
               "use sea_orm::sea_query::Expr;",
               "use sea_orm::{", "    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,",
               "    QueryFilter, QueryOrder, QuerySelect, Set,", "};", "use serde::{Deserialize, Serialize};", "use uuid::Uuid;", "",
               f"use crate::entities::{{{', '.join(mods)}}};", "use crate::api_error::ApiError;", "use crate::extract::AuthContext;",
               "use crate::state::AppState;", "use crate::dto::{BulkRequest, BulkResponse, ListParams, Page, SearchRequest};", ""]
        fnames = set()
        names = set()
        while len(out) < size:
            out.append("")
            r = self.rng.random()
            if r < 0.55:
                t = prim if self.chance(0.6) else self.pick(others)
                out += self.seaorm_query_fn(crate, rel, t, fnames, tables)
            else:
                out += getattr(self, self.pick(["item_struct", "item_logic", "item_builder", "item_enum"]))(names)
        return out, sorted(fnames)

    def seaorm_support(self, c):
        tc = c["tables"][-1].tenant_col or "tenant_id"
        state = ["//! Shared application state.", "", "use sea_orm::DatabaseConnection;", "use std::sync::Arc;", "",
                 "#[derive(Clone)]", "pub struct AppState {", "    pub db: DatabaseConnection,", "    pub settings: Arc<crate::config::Settings>,", "}"]
        extract = ["//! Request extractors: the authenticated caller and its organisation.", "",
                   "use axum::extract::FromRequestParts;", "use axum::http::request::Parts;", "use uuid::Uuid;", "",
                   "use crate::error::ApiError;", "", "/// Who is calling, taken from the verified session token.",
                   "#[derive(Debug, Clone)]", "pub struct AuthContext {", "    pub user_id: Uuid,",
                   f"    /// The tenant every query must be scoped to (`{tc}` column).", "    pub org_id: Uuid,", "    pub roles: Vec<String>,", "}", "",
                   "#[axum::async_trait]", "impl<S: Send + Sync> FromRequestParts<S> for AuthContext {", "    type Rejection = ApiError;", "",
                   "    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {",
                   "        let claims = parts", "            .extensions", "            .get::<crate::auth::Claims>()", "            .ok_or(ApiError::Unauthorized)?;",
                   "        Ok(AuthContext {", "            user_id: claims.sub,", "            org_id: claims.org,", "            roles: claims.roles.clone(),", "        })", "    }", "}"]
        dto = ["//! Request and response bodies shared by the handlers.", "", "use chrono::{DateTime, Utc};", "use serde::{Deserialize, Serialize};", "use uuid::Uuid;", "",
               "#[derive(Debug, Default, Deserialize)]", "pub struct ListParams {", "    pub limit: Option<u64>,", "    pub page: Option<u64>,", "    pub per_page: Option<u64>,", "}", "",
               "#[derive(Debug, Serialize)]", "pub struct Page<T> {", "    pub items: Vec<T>,", "    pub total: u64,", "}", "",
               "#[derive(Debug, Deserialize)]", "pub struct SearchRequest {", "    pub query: Option<String>,", "    pub since: DateTime<Utc>,", "    pub until: DateTime<Utc>,", "}", "",
               "#[derive(Debug, Deserialize)]", "pub struct BulkRequest {", "    pub ids: Vec<Uuid>,", "}", "",
               "#[derive(Debug, Serialize)]", "pub struct BulkResponse {", "    pub affected: u64,", "}"]
        api_error = ["//! The error type every handler returns.", "", "use axum::http::StatusCode;", "use axum::response::{IntoResponse, Response};", "use sea_orm::DbErr;", "",
                     "#[derive(Debug)]", "pub enum ApiError {", "    NotFound,", "    Unauthorized,", "    Forbidden,", "    BadRequest(String),", "    Db(DbErr),", "}", "",
                     "impl From<DbErr> for ApiError {", "    fn from(err: DbErr) -> Self {", "        ApiError::Db(err)", "    }", "}", "",
                     "impl IntoResponse for ApiError {", "    fn into_response(self) -> Response {", "        let (status, msg) = match self {",
                     '            ApiError::NotFound => (StatusCode::NOT_FOUND, "not found".to_string()),',
                     '            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized".to_string()),',
                     '            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden".to_string()),',
                     "            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),",
                     "            ApiError::Db(e) => {", '                tracing::error!(error = %e, "database error");',
                     '                (StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_string())', "            }", "        };",
                     '        (status, axum::Json(serde_json::json!({ "error": msg }))).into_response()', "    }", "}"]
        return {"state": state, "extract": extract, "dto": dto, "api_error": api_error}

    def seaorm_routes(self, c):
        out = ["//! Route table.", "", "use axum::routing::{delete, get, post, put};", "use axum::Router;", "", "use crate::handlers;", "use crate::state::AppState;", "",
               "pub fn router(state: AppState) -> Router {", "    Router::new()"]
        method = {"list": "get", "get": "get", "get_checked": "get", "cond": "post", "update_many": "put", "delete": "delete",
                  "insert": "post", "paginate": "get", "count": "get"}
        for q in self.queries:
            if q["crate"] == c["name"] and q["kind"] in method:
                mod = os.path.splitext(os.path.basename(q["file"]))[0]
                suffix = "/:id" if q["kind"] in ("get", "get_checked", "delete") else ""
                out.append(f'        .route("/{q["table"]}/{q["fn"]}{suffix}", {method[q["kind"]]}(handlers::{mod}::{q["fn"]}))')
        out += ["        .with_state(state)", "}"]
        return out

    # ------------------------------------------------------------ Diesel

    def diesel_schema(self, tables):
        out = ["// @generated automatically by Diesel CLI.", ""]
        for t in tables:
            out += ["diesel::table! {", f"    {t.name} (id) {{", "        id -> Uuid,"]
            if t.tenant_col:
                out.append(f"        {t.tenant_col} -> Uuid,")
            if t.parent:
                out.append(f"        {t.parent.singular}_id -> Uuid,")
            for f in t.fields:
                out.append(f"        {f[0]} -> {f[2]},")
            out += ["        created_at -> Timestamptz,", "        updated_at -> Timestamptz,", "    }", "}", ""]
        for t in tables:
            if t.parent:
                out.append(f"diesel::joinable!({t.name} -> {t.parent.name} ({t.parent.singular}_id));")
        out += ["", "diesel::allow_tables_to_appear_in_same_query!("] + [f"    {t.name}," for t in tables] + [");"]
        return out

    def diesel_models(self, tables):
        out = ["//! Row types for the Diesel schema.", "", "use chrono::{DateTime, NaiveDate, Utc};", "use diesel::prelude::*;",
               "use serde::{Deserialize, Serialize};", "use uuid::Uuid;", "", "use crate::schema::*;"]
        for t in tables:
            cols = [("id", "Uuid")] + ([(t.tenant_col, "Uuid")] if t.tenant_col else []) + \
                   ([(t.parent.singular + "_id", "Uuid")] if t.parent else []) + [(f[0], f[1]) for f in t.fields] + \
                   [("created_at", "DateTime<Utc>"), ("updated_at", "DateTime<Utc>")]
            assoc = ", Associations" if t.parent else ""
            out += ["", f"#[derive(Debug, Clone, Queryable, Selectable, Identifiable{assoc}, Serialize, Deserialize)]",
                    f"#[diesel(table_name = {t.name})]", "#[diesel(check_for_backend(diesel::pg::Pg))]"]
            if t.parent:
                out.insert(len(out) - 2, f"#[diesel(belongs_to({t.parent.struct}))]")
            out.append(f"pub struct {t.struct} {{")
            out += [f"    pub {c}: {ty}," for c, ty in cols]
            out += ["}", "", "#[derive(Debug, Insertable)]", f"#[diesel(table_name = {t.name})]", f"pub struct New{t.struct}<'a> {{"]
            for c, ty in cols[1:-2]:
                out.append(f"    pub {c}: {'&' + chr(39) + 'a str' if ty == 'String' else ty},")
            out += ["}", "", "#[derive(Debug, Default, AsChangeset)]", f"#[diesel(table_name = {t.name})]", f"pub struct {t.struct}Changes {{"]
            for f in t.fields[:4]:
                out.append(f"    pub {f[0]}: Option<{f[1]}>,")
            out.append("}")
        return out

    def diesel_query_fn(self, crate, rel, t, prim, fnames, tables):
        scoped = self.decide_scoped(t)
        tc = t.tenant_col
        kind = self.pick(["list", "list", "get", "update", "delete", "boxed", "insert", "join", "count", "qualified"])
        if kind == "join" and not t.parent:
            kind = "qualified"
        fn = f"{kind}_{t.singular}"
        base, k = fn, 2
        while fn in fnames:
            fn = f"{base}_{k}"
            k += 1
        fnames.add(fn)
        dsl = t is prim  # glob-imported at file level
        q = (lambda c: c) if dsl else (lambda c: f"{t.name}::{c}")
        tbl = t.name if dsl else f"{t.name}::table"
        tfilter = f".filter({q(tc)}.eq(tenant))" if (tc and scoped) else ""
        S = t.struct
        out = []
        if kind == "list":
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, limit: i64) -> QueryResult<Vec<{S}>> {{",
                    f"    {tbl}", *([f"        {tfilter}"] if tfilter else []),
                    f"        .order({q('created_at')}.desc())", "        .limit(limit)", f"        .load::<{S}>(conn)", "}"]
        elif kind == "get":
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, key: Uuid) -> QueryResult<Option<{S}>> {{",
                    f"    {tbl}", "        .find(key)", *([f"        {tfilter}"] if tfilter else []),
                    f"        .select({S}::as_select())", "        .first(conn)", "        .optional()", "}"]
        elif kind == "update":
            f0 = t.fields[0]
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, keys: &[Uuid], changes: &{S}Changes) -> QueryResult<usize> {{",
                    f"    let target = {tbl}{tfilter}.filter({q('id')}.eq_any(keys));",
                    "    diesel::update(target)", "        .set((changes, " + q("updated_at") + ".eq(diesel::dsl::now)))", "        .execute(conn)", "}"]
            _ = f0
        elif kind == "delete":
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, key: Uuid) -> QueryResult<bool> {{",
                    f"    let n = diesel::delete({tbl}{tfilter}.filter({q('id')}.eq(key))).execute(conn)?;", "    Ok(n == 1)", "}"]
        elif kind == "boxed":
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, params: &SearchParams) -> QueryResult<Vec<{S}>> {{",
                    f"    let mut query = {t.name}::table" + (f".filter({t.name}::{tc}.eq(tenant))" if tc and scoped else "") + ".into_boxed();",
                    "    if let Some(since) = params.since {", f"        query = query.filter({t.name}::created_at.ge(since));", "    }",
                    "    if let Some(ids) = &params.ids {", f"        query = query.filter({t.name}::id.eq_any(ids));", "    }",
                    "    if params.newest_first {", f"        query = query.order({t.name}::created_at.desc());", "    } else {",
                    f"        query = query.order({t.name}::id.asc());", "    }",
                    "    query", "        .limit(params.limit.unwrap_or(100))", "        .offset(params.offset.unwrap_or(0))",
                    f"        .select({S}::as_select())", "        .load(conn)", "}"]
        elif kind == "insert":
            out += [f"pub fn {fn}(conn: &mut PgConnection, row: &New{S}<'_>) -> QueryResult<{S}> {{",
                    f"    diesel::insert_into({t.name}::table)", "        .values(row)", "        .returning(" + S + "::as_returning())",
                    "        .get_result(conn)", "}"]
            scoped = None if tc is None else True
        elif kind == "join" and t.parent:
            p = t.parent
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid) -> QueryResult<Vec<({S}, {p.struct})>> {{",
                    f"    {t.name}::table", f"        .inner_join({p.name}::table)",
                    *([f"        .filter({t.name}::{tc}.eq(tenant))"] if tc and scoped else []),
                    f"        .select(({S}::as_select(), {p.struct}::as_select()))", f"        .load::<({S}, {p.struct})>(conn)", "}"]
        elif kind == "count":
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid) -> QueryResult<i64> {{",
                    f"    {tbl}{tfilter}.count().get_result(conn)", "}"]
        else:
            kind = "qualified"
            out += [f"pub fn {fn}(conn: &mut PgConnection, tenant: Uuid, since: DateTime<Utc>) -> QueryResult<Vec<Uuid>> {{",
                    f"    {t.name}::table", *([f"        .filter({t.name}::{tc}.eq(tenant))"] if tc and scoped else []),
                    f"        .filter({t.name}::updated_at.gt(since))", f"        .select({t.name}::id)", "        .load::<Uuid>(conn)", "}"]
        self.record(crate, rel, fn, "diesel", t, kind, scoped)
        return out

    def diesel_repo_file(self, crate, rel, size, tables, prim):
        others = self.rng.sample([t for t in tables if t is not prim], min(len(tables) - 1, 2))
        used = [prim] + others
        out = [f"//! Repository functions for `{prim.name}`.", "", "use chrono::{DateTime, Utc};", "use diesel::prelude::*;",
               "use serde::{Deserialize, Serialize};", "use uuid::Uuid;", "",
               f"use crate::models::{{{', '.join(sorted({t.struct for t in used} | {f'New{t.struct}' for t in used} | {f'{t.struct}Changes' for t in used} | {t.parent.struct for t in used if t.parent}))}}};",
               f"use crate::schema::{{{', '.join(sorted({t.name for t in used} | {t.parent.name for t in used if t.parent}))}}};",
               f"use crate::schema::{prim.name}::dsl::*;", "use crate::SearchParams;"]
        fnames, names = set(), set()
        while len(out) < size:
            out.append("")
            if self.chance(0.6):
                t = prim if self.chance(0.6) else self.pick(others)
                out += self.diesel_query_fn(crate, rel, t, prim, fnames, tables)
            else:
                out += getattr(self, self.pick(["item_struct", "item_logic", "item_enum", "item_generic"]))(names)
        return out

    # ------------------------------------------------------------ sqlx

    def sqlx_query_fn(self, crate, rel, t, fnames):
        scoped = self.decide_scoped(t)
        tc = t.tenant_col
        cols = ["id"] + ([tc] if tc else []) + [f[0] for f in t.fields[:5]] + ["created_at"]
        R = f"{t.struct}Row"
        kind = self.pick(["list", "get", "update", "delete", "insert", "join", "count", "runtime"])
        if kind == "join" and not t.parent:
            kind = "runtime"
        fn = f"{kind}_{t.singular}"
        base, k = fn, 2
        while fn in fnames:
            fn = f"{base}_{k}"
            k += 1
        fnames.add(fn)
        sc = tc and scoped
        out = []
        if kind == "list":
            where = f"WHERE {tc} = $1 " if sc else ""
            lim = "$2" if sc else "$1"
            args = "org, limit" if sc else "limit"
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid, limit: i64) -> Result<Vec<{R}>, sqlx::Error> {{",
                    "    sqlx::query_as!(", f"        {R},",
                    f'        "SELECT {", ".join(cols)} FROM {t.name} {where}ORDER BY created_at DESC LIMIT {lim}",',
                    f"        {args}", "    )", "    .fetch_all(pool)", "    .await", "}"]
        elif kind == "get":
            where = f"WHERE id = $1 AND {tc} = $2" if sc else "WHERE id = $1"
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid, key: Uuid) -> Result<Option<{R}>, sqlx::Error> {{",
                    f'    sqlx::query_as!({R}, "SELECT {", ".join(cols)} FROM {t.name} {where}", key{", org" if sc else ""})',
                    "        .fetch_optional(pool)", "        .await", "}"]
        elif kind == "update":
            col = t.fields[0][0]
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid, key: Uuid, value: &str) -> Result<u64, sqlx::Error> {{",
                    "    let res = sqlx::query!(", '        r#"', f"        UPDATE {t.name}", f"        SET {col} = $1, updated_at = now()",
                    f"        WHERE id = $2{f' AND {tc} = $3' if sc else ''}", '        "#,', f"        value,", f"        key,",
                    *([f"        org,"] if sc else []), "    )", "    .execute(pool)", "    .await?;", "    Ok(res.rows_affected())", "}"]
        elif kind == "delete":
            out += [f"pub async fn {fn}(tx: &mut Transaction<'_, Postgres>, org: Uuid, key: Uuid) -> Result<bool, sqlx::Error> {{",
                    f'    let res = sqlx::query!("DELETE FROM {t.name} WHERE id = $1{f" AND {tc} = $2" if sc else ""}", key{", org" if sc else ""})',
                    "        .execute(&mut **tx)", "        .await?;", "    Ok(res.rows_affected() == 1)", "}"]
        elif kind == "insert":
            icols = cols[:-1]
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid, row: &{R}) -> Result<Uuid, sqlx::Error> {{",
                    "    let rec = sqlx::query!(", '        r#"', f"        INSERT INTO {t.name} ({', '.join(icols)})",
                    f"        VALUES ({', '.join(f'${i + 1}' for i in range(len(icols)))})", "        RETURNING id", '        "#,']
            for c in icols:
                out.append("        org," if c == tc else f"        row.{c},")
            out += ["    )", "    .fetch_one(pool)", "    .await?;", "    Ok(rec.id)", "}"]
            scoped = None if tc is None else True
        elif kind == "join" and t.parent:
            p = t.parent
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid) -> Result<Vec<{R}>, sqlx::Error> {{",
                    f"    sqlx::query_as!(", f"        {R},", '        r#"', f"        SELECT {', '.join('a.' + c for c in cols)}",
                    f"        FROM {t.name} a", f"        JOIN {p.name} p ON p.id = a.{p.singular}_id",
                    f"        WHERE {f'a.{tc} = $1 AND ' if sc else ''}p.created_at > now() - interval '30 days'",
                    "        ORDER BY a.created_at DESC", '        "#,', *(["        org"] if sc else []), "    )",
                    "    .fetch_all(pool)", "    .await", "}"]
        elif kind == "count":
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid) -> Result<i64, sqlx::Error> {{",
                    f'    let n = sqlx::query_scalar!("SELECT COUNT(*) FROM {t.name}{f" WHERE {tc} = $1" if sc else ""}"{", org" if sc else ""})',
                    "        .fetch_one(pool)", "        .await?;", "    Ok(n.unwrap_or(0))", "}"]
        else:
            kind = "runtime"
            out += [f"pub async fn {fn}(pool: &PgPool, org: Uuid, status: &str) -> Result<Vec<{R}>, sqlx::Error> {{",
                    f'    sqlx::query_as::<_, {R}>("SELECT {", ".join(cols)} FROM {t.name} WHERE {f"{tc} = $1 AND " if sc else ""}status = ${2 if sc else 1}")',
                    *(["        .bind(org)"] if sc else []), "        .bind(status)", "        .fetch_all(pool)", "        .await", "}"]
        self.record(crate, rel, fn, "sqlx", t, kind, scoped)
        return out

    def sqlx_row(self, t):
        out = ["#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]", f"pub struct {t.struct}Row {{", "    pub id: Uuid,"]
        if t.tenant_col:
            out.append(f"    pub {t.tenant_col}: Uuid,")
        out += [f"    pub {f[0]}: {f[1]}," for f in t.fields[:5]]
        out += ["    pub created_at: DateTime<Utc>,", "}"]
        return out

    def sqlx_file(self, crate, rel, size, tables, prim):
        used = [prim] + self.rng.sample(tables, min(2, len(tables)))
        out = [f"//! Queries for `{prim.name}` and related tables.", "", "use chrono::{DateTime, NaiveDate, Utc};",
               "use serde::{Deserialize, Serialize};", "use sqlx::{PgPool, Postgres, Transaction};", "use uuid::Uuid;"]
        seen = set()
        for t in used:
            if t.name not in seen:
                seen.add(t.name)
                out += [""] + self.sqlx_row(t)
        fnames, names = set(), set()
        while len(out) < size:
            out.append("")
            if self.chance(0.6):
                out += self.sqlx_query_fn(crate, rel, self.pick(used), fnames)
            else:
                out += getattr(self, self.pick(["item_logic", "item_struct", "item_error", "item_parser"]))(names)
        return out

    # ------------------------------------------------------------ workspace

    def run(self):
        n_db_crates = max(3, min(24, round(self.target / 60000)))
        n_lib_crates = max(2, min(len(LIB_CRATES), round(self.target / 80000)))
        domains = list(DOMAINS)
        self.rng.shuffle(domains)
        crates = []
        for i in range(n_db_crates):
            orm = ["seaorm", "diesel", "sqlx"][i % 3]
            name = f"{domains[i % len(domains)]}-{['api', 'svc', 'worker'][i % 3]}" + (f"-{i // len(domains) + 1}" if i >= len(domains) else "")
            ntables = max(8, min(60, int(self.target / n_db_crates / 2500)))
            tc = "org_id" if (orm == "sqlx" or self.chance(0.4)) else "tenant_id"
            crates.append({"name": name, "orm": orm, "tables": self.make_tables(ntables, tc), "mods": {}})
        for i in range(n_lib_crates):
            crates.append({"name": LIB_CRATES[i], "orm": None, "tables": [], "mods": {}})
        self.crates = crates

        # fixed DB-definition files first
        for c in crates:
            if c["orm"] == "seaorm":
                for t in c["tables"]:
                    self.add_mod(c, "entities", t.singular, self.seaorm_entity(t, c["tables"]), True)
                self.add_mod(c, "entities", "prelude",
                             ["//! `SeaORM` prelude", ""] + [f"pub use super::{t.singular}::Entity as {t.struct};" for t in c["tables"]], True)
                for stem, lines in self.seaorm_support(c).items():
                    self.add_mod(c, "", stem, lines, False)
            elif c["orm"] == "diesel":
                self.add_mod(c, "", "schema", self.diesel_schema(c["tables"]), True)
                self.add_mod(c, "", "models", self.diesel_models(c["tables"]), True)
            if c["orm"]:
                self.add_mod(c, "", "error", self.nondb_file(self.rng.randint(60, 160)), False)
                self.add_mod(c, "", "config", self.nondb_file(self.rng.randint(40, 120)), False)

        db_crates = [c for c in crates if c["orm"]]
        budget = self.target * 0.985   # leave room for lib.rs / mod.rs files written at the end
        while self.total_lines < budget:
            size = self.file_size()
            want_db = self.db_lines < self.db_share * max(self.total_lines, 1)
            if want_db:
                c = self.pick(db_crates)
                tenant_tables = [t for t in c["tables"] if t.tenant_col]
                prim = self.pick(tenant_tables) if self.chance(0.9) else self.pick(c["tables"])
                if c["orm"] == "seaorm":
                    rel_dir = "handlers"
                    stem = self.fresh_stem(c, rel_dir, prim.name)
                    lines, _ = self.seaorm_handler_file(c["name"], self.src_rel(c, rel_dir, stem), size, c["tables"], prim)
                elif c["orm"] == "diesel":
                    rel_dir = "repo"
                    stem = self.fresh_stem(c, rel_dir, prim.name)
                    lines = self.diesel_repo_file(c["name"], self.src_rel(c, rel_dir, stem), size, c["tables"], prim)
                else:
                    rel_dir = "db"
                    stem = self.fresh_stem(c, rel_dir, prim.name)
                    lines = self.sqlx_file(c["name"], self.src_rel(c, rel_dir, stem), size, c["tables"], prim)
                self.add_mod(c, rel_dir, stem, lines, True)
            else:
                c = self.pick(crates)
                rel_dir = self.pick(["", "services", "domain", "util", "clients", "jobs"] if c["orm"] else ["", "", "types", "parse", "util"])
                stem = self.fresh_stem(c, rel_dir, f"{self.pick(WORDS)}_{self.pick(['service', 'types', 'rules', 'calc', 'format', 'client', 'model', 'logic'])}")
                extra = ("use crate::error::*;",) if c["orm"] and self.chance(0.3) else ()
                self.add_mod(c, rel_dir, stem, self.nondb_file(size, extra), False)

        for c in crates:
            if c["orm"] == "seaorm":
                self.add_mod(c, "", "routes", self.seaorm_routes(c), False)
            self.write_crate_roots(c)
        self.write("Cargo.toml", [
            "[workspace]", 'resolver = "2"', "members = ["] + [f'    "crates/{c["name"]}",' for c in crates] + ["]"], False)
        self.write_manifest()

    def src_rel(self, c, d, stem):
        return os.path.join("crates", c["name"], "src", d, stem + ".rs") if d else os.path.join("crates", c["name"], "src", stem + ".rs")

    def fresh_stem(self, c, d, stem):
        taken = c["mods"].setdefault(d, [])
        base, k = stem, 2
        reserved = {"lib", "main", "mod", "error", "config", "schema", "models", "entities", "handlers", "repo", "db",
                    "services", "domain", "util", "clients", "jobs", "types", "parse", "prelude", "state", "extract", "dto",
                    "api_error", "routes"}
        while stem in taken or stem in reserved:
            stem = f"{base}_{k}"
            k += 1
        return stem

    def add_mod(self, c, d, stem, lines, db):
        c["mods"].setdefault(d, []).append(stem)
        self.write(self.src_rel(c, d, stem), lines, db)

    def write_crate_roots(self, c):
        root = ["//! " + c["name"].replace("-", " ") + " crate.", ""]
        for d in sorted(c["mods"]):
            if d:
                root.append(f"pub mod {d};")
                sub = ["//! " + d + " modules.", ""] + [f"pub mod {m};" for m in sorted(c["mods"][d])]
                self.write(os.path.join("crates", c["name"], "src", d, "mod.rs"), sub, d in ("entities", "handlers", "repo", "db"))
        root += [f"pub mod {m};" for m in sorted(c["mods"].get("", []))]
        if c["orm"]:
            root += ["", "#[derive(Debug, Clone, Default)]", "pub struct SearchParams {", "    pub since: Option<chrono::DateTime<chrono::Utc>>,",
                     "    pub ids: Option<Vec<uuid::Uuid>>,", "    pub newest_first: bool,", "    pub limit: Option<i64>,", "    pub offset: Option<i64>,", "}"]
        self.write(os.path.join("crates", c["name"], "src", "lib.rs"), root, False)
        deps = {"seaorm": ['sea-orm = { version = "1", features = ["sqlx-postgres", "runtime-tokio-rustls", "macros"] }', 'axum = "0.7"'],
                "diesel": ['diesel = { version = "2", features = ["postgres", "uuid", "chrono", "serde_json"] }'],
                "sqlx": ['sqlx = { version = "0.8", features = ["postgres", "uuid", "chrono", "runtime-tokio"] }']}.get(c["orm"], [])
        self.write(os.path.join("crates", c["name"], "Cargo.toml"), [
            "[package]", f'name = "{c["name"]}"', 'version = "0.1.0"', 'edition = "2021"', "", "[dependencies]",
            'serde = { version = "1", features = ["derive"] }', 'serde_json = "1"', 'uuid = { version = "1", features = ["v4", "serde"] }',
            'chrono = { version = "0.4", features = ["serde"] }', 'tokio = { version = "1", features = ["full"] }'] + deps, False)

    def write_manifest(self):
        # line numbers of every query fn, for recall checks
        cache = {}
        for q in self.queries:
            if q["file"] not in cache:
                with open(os.path.join(self.out, q["file"])) as f:
                    cache[q["file"]] = f.read().split("\n")
            for i, line in enumerate(cache[q["file"]]):
                if line.startswith(f"pub async fn {q['fn']}(") or line.startswith(f"pub fn {q['fn']}("):
                    q["line"] = i + 1
                    break
        unscoped = [q for q in self.queries if q["scoped"] is False]
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(self.out) for f in fs if f.endswith(".rs"))
        summary = {"files": self.files, "lines": self.total_lines, "bytes": size, "db_file_lines": self.db_lines,
                   "db_line_share": round(self.db_lines / max(1, self.total_lines), 4), "crates": len(self.crates),
                   "queries": len(self.queries), "unscoped_queries": len(unscoped),
                   "global_table_queries": sum(1 for q in self.queries if q["scoped"] is None)}
        with open(os.path.join(self.out, "corpus-manifest.json"), "w") as f:
            json.dump({"summary": summary, "queries": self.queries}, f, indent=1)
            f.write("\n")
        return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--lines", type=int, default=400_000, help="approximate total lines of Rust to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db-share", type=float, default=0.30, help="target fraction of lines in DB-touching files")
    args = ap.parse_args()
    if os.path.exists(args.out_dir) and os.listdir(args.out_dir):
        sys.exit(f"{args.out_dir} exists and is not empty")
    os.makedirs(args.out_dir, exist_ok=True)
    g = Gen(args.out_dir, args.lines, args.seed, args.db_share)
    g.run()
    with open(os.path.join(args.out_dir, "corpus-manifest.json")) as f:
        s = json.load(f)["summary"]
    print(f"files={s['files']} lines={s['lines']} MB={s['bytes'] / 1e6:.1f} db_line_share={s['db_line_share']:.2f} "
          f"crates={s['crates']} queries={s['queries']} unscoped={s['unscoped_queries']}")


if __name__ == "__main__":
    main()
