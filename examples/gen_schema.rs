//! Input for `bench/run.sh`: writes one large schema dump in the shape
//! `pg_dump --schema-only` gives (session `SET`s, then per table a `CREATE
//! TABLE`, `OWNER TO`, a `COMMENT`, primary key and foreign key `ALTER
//! TABLE ONLY .. ADD CONSTRAINT`s, `CREATE INDEX`es, and for some tables
//! row-level security and a policy). A dump is the largest SQL file a
//! project hands the linter, all of it DDL, so it shows any cost that grows
//! faster than the file (a per-statement scan from the start of the file).
//!
//! Usage: `gen_schema OUT_DIR [--bytes N] [--seed S]`
//! Writes `OUT_DIR/db/schema.sql` of about N bytes (default 1,600,000; the
//! same seed gives the same bytes) and prints `tables=T bytes=B`.

use std::fmt::Write as _;
use std::path::PathBuf;

/// xorshift64*: deterministic without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const NOUNS: &[&str] = &[
    "document",
    "project",
    "invoice",
    "comment",
    "task",
    "member",
    "file",
    "folder",
    "webhook",
    "api_key",
    "audit_event",
    "payment",
    "subscription",
    "report",
    "dashboard",
    "label",
    "message",
    "thread",
    "note",
    "contact",
    "deal",
    "ticket",
    "asset",
    "session",
];
const COLUMNS: &[(&str, &str)] = &[
    ("title", "text NOT NULL"),
    ("name", "character varying(255) NOT NULL"),
    ("body", "text"),
    (
        "status",
        "character varying(32) DEFAULT 'open'::character varying NOT NULL",
    ),
    ("amount_cents", "bigint DEFAULT 0 NOT NULL"),
    ("position", "integer"),
    ("metadata", "jsonb DEFAULT '{}'::jsonb NOT NULL"),
    ("archived", "boolean DEFAULT false NOT NULL"),
    ("due_at", "timestamp with time zone"),
    ("external_ref", "text"),
    ("checksum", "bytea"),
];
// Comments with multibyte characters, as real dumps carry them: columns
// are counted in characters, so these lines exercise that.
const COMMENTS: &[&str] = &[
    "Données du locataire",
    "Kundenstammdaten (größere Einträge)",
    "顧客ごとのデータ",
    "tenant-owned rows — never shared",
    "Rows owned by one organisation",
];

fn table(out: &mut String, rng: &mut Rng, i: usize) {
    let name = format!("{}_{i}", rng.pick(NOUNS));
    // Most tables are tenant-owned, a few are global lookups.
    let tenant = match rng.below(10) {
        0 => None,
        1..=5 => Some("tenant_id"),
        _ => Some("org_id"),
    };
    let ncols = 3 + rng.below(6);
    let _ = writeln!(
        out,
        "--\n-- Name: {name}; Type: TABLE; Schema: public; Owner: app\n--\n"
    );
    let _ = writeln!(
        out,
        "CREATE TABLE public.{name} (\n    id uuid DEFAULT gen_random_uuid() NOT NULL,"
    );
    if let Some(t) = tenant {
        let _ = writeln!(out, "    {t} uuid NOT NULL,");
    }
    let mut cols = Vec::new();
    for k in 0..ncols {
        let (c, ty) = COLUMNS[(i + k * 7) % COLUMNS.len()];
        if !cols.contains(&c) {
            cols.push(c);
            let _ = writeln!(out, "    {c} {ty},");
        }
    }
    let _ = writeln!(
        out,
        "    created_at timestamp with time zone DEFAULT now() NOT NULL,\n    updated_at timestamp with time zone DEFAULT now() NOT NULL\n);\n"
    );
    let _ = writeln!(out, "ALTER TABLE public.{name} OWNER TO app;\n");
    let _ = writeln!(
        out,
        "--\n-- Name: TABLE {name}; Type: COMMENT; Schema: public; Owner: app\n--\n\nCOMMENT ON TABLE public.{name} IS '{}';\n",
        rng.pick(COMMENTS)
    );
    let _ = writeln!(
        out,
        "--\n-- Name: {name} {name}_pkey; Type: CONSTRAINT; Schema: public; Owner: app\n--\n\nALTER TABLE ONLY public.{name}\n    ADD CONSTRAINT {name}_pkey PRIMARY KEY (id);\n"
    );
    if let Some(t) = tenant {
        // Index order: mostly tenant first, sometimes not (a finding).
        let other = cols.first().copied().unwrap_or("created_at");
        let (a, b) = if rng.below(8) == 0 {
            (other, t)
        } else {
            (t, other)
        };
        let _ = writeln!(
            out,
            "--\n-- Name: {name}_{a}_{b}_idx; Type: INDEX; Schema: public; Owner: app\n--\n\nCREATE INDEX {name}_{a}_{b}_idx ON public.{name} USING btree ({a}, {b});\n"
        );
        let _ = writeln!(
            out,
            "CREATE INDEX {name}_{t}_created_at_idx ON public.{name} USING btree ({t}, created_at DESC);\n"
        );
        let parent = if t == "tenant_id" {
            "tenants"
        } else {
            "organizations"
        };
        let _ = writeln!(
            out,
            "--\n-- Name: {name} {name}_{t}_fkey; Type: FK CONSTRAINT; Schema: public; Owner: app\n--\n\nALTER TABLE ONLY public.{name}\n    ADD CONSTRAINT {name}_{t}_fkey FOREIGN KEY ({t}) REFERENCES public.{parent}(id) ON DELETE CASCADE;\n"
        );
        if rng.below(3) == 0 {
            let _ = writeln!(
                out,
                "ALTER TABLE public.{name} ENABLE ROW LEVEL SECURITY;\n\nCREATE POLICY {name}_isolation ON public.{name} USING (({t} = (current_setting('app.{t}'::text))::uuid));\n"
            );
        }
    } else {
        let _ = writeln!(
            out,
            "CREATE UNIQUE INDEX {name}_name_key ON public.{name} USING btree (created_at);\n"
        );
    }
}

fn main() {
    let mut bytes = 1_600_000usize;
    let mut seed = 1u64;
    let mut out_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut num = |what: &str| {
            args.next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_else(|| usage(&format!("{what} needs a number")))
        };
        match arg.as_str() {
            "--bytes" => bytes = num("--bytes") as usize,
            "--seed" => seed = num("--seed").max(1),
            _ if out_dir.is_none() && !arg.starts_with('-') => out_dir = Some(PathBuf::from(arg)),
            _ => usage(&format!("unexpected argument `{arg}`")),
        }
    }
    let Some(out_dir) = out_dir else {
        usage("missing OUT_DIR")
    };

    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut out = String::with_capacity(bytes + 4096);
    out.push_str(
        "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 16.2\n\
         -- Dumped by pg_dump version 16.2\n\n\
         SET statement_timeout = 0;\nSET lock_timeout = 0;\n\
         SET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n\
         SET standard_conforming_strings = on;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\
         SET check_function_bodies = false;\nSET xmloption = content;\n\
         SET client_min_messages = warning;\nSET row_security = off;\n\n\
         SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n\
         CREATE TABLE public.tenants (\n    id uuid NOT NULL,\n    name text NOT NULL\n);\n\n\
         CREATE TABLE public.organizations (\n    id uuid NOT NULL,\n    name text NOT NULL\n);\n\n",
    );
    let mut tables = 0;
    while out.len() < bytes {
        table(&mut out, &mut rng, tables);
        tables += 1;
    }
    out.push_str("--\n-- PostgreSQL database dump complete\n--\n\n");

    let dir = out_dir.join("db");
    let path = dir.join("schema.sql");
    if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &out)) {
        eprintln!("gen_schema: {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("tables={tables} bytes={}", out.len());
}

fn usage(why: &str) -> ! {
    eprintln!("gen_schema: {why}\nusage: gen_schema OUT_DIR [--bytes N] [--seed S]");
    std::process::exit(2);
}
