//! The `creanta` binary end to end: exit codes, messages and output formats. Runs on the
//! backend TEST_DATABASE_URL selects (each test in its own PostgreSQL schema via
//! CREANTA_PG_SCHEMA), like the rest of the suite.

use std::path::Path;
use std::process::{Command, Output};

struct Env {
    dir: tempfile::TempDir,
    schema: Option<String>,
}

impl Env {
    fn new(name: &str) -> Env {
        let url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty());
        Env {
            dir: tempfile::tempdir().unwrap(),
            schema: url.map(|_| format!("cli_{name}_{}", std::process::id())),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_creanta"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("CREANTA_ORG")
            .env("CREANTA_DATA_DIR", self.dir.path().join("data"));
        match (&self.schema, std::env::var("TEST_DATABASE_URL")) {
            (Some(schema), Ok(url)) => {
                cmd.env("DATABASE_URL", url)
                    .env("CREANTA_PG_SCHEMA", schema);
            }
            _ => {
                cmd.env_remove("DATABASE_URL");
            }
        }
        cmd.env_remove("CREANTA_SMTP_URL");
        cmd
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        self.path(name)
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let (Some(schema), Ok(url)) = (&self.schema, std::env::var("TEST_DATABASE_URL")) {
            let _ = Command::new("psql")
                .args([
                    url.as_str(),
                    "-qc",
                    &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                ])
                .output();
        }
    }
}

#[test]
fn id_reports_kind_validity_and_normal_form_as_json() {
    let env = Env::new("id");
    let out = env.ok(&["id", "ro 185 472 90", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"input": "ro 185 472 90", "kind": "cui", "valid": true, "normalized": "18547290", "error": null})
    );
    let bad = env.run(&["id", "RO18547291", "--format", "json"]);
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().contains("check digit"), "{v}");
}

#[test]
fn bad_import_exits_2_names_file_line_column_and_writes_nothing() {
    let env = Env::new("bad");
    let entities = env.write(
        "entities.csv",
        "tax_id,name,ibans\n18547290,Termoconstruct Grup SRL,RO49AAAA1B31007593840000\n",
    );
    env.ok(&["import", "entities", &entities]);
    let debtors = env.write("debtors.csv", "code,name,tax_id\nD1,Beta SA,14840784\n");
    env.ok(&["import", "debtors", &debtors]);
    let invoices = env.write(
        "invoices.csv",
        "entity_tax_id,number,issue_date,due_date,buyer_tax_id,currency,total\n\
         18547290,1,2025-01-10,2025-02-10,14840784,RON,100\n\
         18547290,2,2025-01-10,31.02.2025,14840784,RON,100\n",
    );
    let out = env.run(&["import", "invoices", &invoices]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{invoices}:3: due_date: \"31.02.2025\" is not a date"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let listed = env.ok(&["invoices", "--format", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&listed).unwrap(),
        serde_json::json!([])
    );

    // Fixed, it imports once; twice, it changes nothing.
    let fixed = env.write(
        "invoices.csv",
        &std::fs::read_to_string(Path::new(&invoices))
            .unwrap()
            .replace("31.02.2025", "2025-02-28"),
    );
    assert_eq!(
        env.ok(&["import", "invoices", &fixed]).trim(),
        // The fixture has no finance contacts: the check says so on import.
        "invoices: 2 new, 0 updated, 0 unchanged; 2 findings opened"
    );
    assert_eq!(
        env.ok(&["import", "invoices", &fixed]).trim(),
        "invoices: 0 new, 0 updated, 2 unchanged"
    );
}

#[test]
fn check_lists_findings_with_fixes_and_exits_1_on_errors() {
    let env = Env::new("check");
    env.ok(&[
        "import",
        "entities",
        &env.write(
            "e.csv",
            "tax_id,name,ibans\n18547290,Termoconstruct Grup SRL,RO49AAAA1B31007593840000\n",
        ),
    ]);
    env.ok(&[
        "import",
        "debtors",
        &env.write(
            "d.csv",
            "code,name,tax_id,requires_po\nD1,Beta Construcții SA,14840784,da\n",
        ),
    ]);
    env.ok(&[
        "import",
        "contacts",
        &env.write(
            "c.csv",
            "debtor_code,name,email,role\nD1,Ioana Popescu,ioana@beta.ro,finance\n",
        ),
    ]);
    env.ok(&[
        "import",
        "invoices",
        &env.write(
            "i.csv",
            "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total,po_number\n\
             18547290,TCG,1,2025-01-10,2025-02-10,14840784,D1,RON,100,PO-1\n\
             18547290,TCG,2,2025-01-10,2025-02-10,14840784,D1,RON,100,\n",
        ),
    ]);
    // All: only the invoice with a finding is listed, and the errors make the status 1.
    let all = env.run(&["check", "--all", "--format", "json", "--lang", "ro"]);
    assert_eq!(all.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["invoice"], "TCG-2");
    assert_eq!(v[0]["entity"], "18547290");
    assert_eq!(v[0]["debtor"], "D1");
    let f = &v[0]["findings"][0];
    assert_eq!(
        (&f["code"], &f["severity"], &f["field"]),
        (&"po_missing".into(), &"error".into(), &"po_number".into())
    );
    // In Romanian, with its diacritics.
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("Lipsește numărul comenzii"),
        "{f}"
    );
    assert!(!f["fix"].as_str().unwrap().is_empty());
    // One clean invoice: listed with no findings, status 0.
    let one = env.run(&["check", "--invoice", "RO18547290:TCG-1", "--format", "json"]);
    assert_eq!(one.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"invoice": "TCG-1", "entity": "18547290", "debtor": "D1", "findings": []}])
    );
    // A reference that names nothing is bad input.
    let none = env.run(&["check", "--invoice", "18547290:TCG-9"]);
    assert_eq!(
        none.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
}

#[test]
fn aging_and_invoices_in_every_format() {
    let env = Env::new("aging");
    env.ok(&[
        "import",
        "entities",
        &env.write(
            "e.csv",
            "tax_id,name,ibans\n18547290,Alfa SRL,RO49AAAA1B31007593840000\n",
        ),
    ]);
    env.ok(&[
        "import",
        "debtors",
        &env.write("d.csv", "code,name,tax_id\nD1,Beta SA,14840784\n"),
    ]);
    env.ok(&[
        "import",
        "invoices",
        &env.write(
            "i.csv",
            "entity_tax_id,number,issue_date,due_date,buyer_tax_id,currency,total\n\
             18547290,1,2025-01-01,2025-01-31,14840784,RON,100.50\n\
             18547290,2,2025-03-01,2025-03-31,14840784,RON,200\n\
             18547290,3,2025-03-01,2025-04-30,14840784,EUR,50\n",
        ),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["aging", "--date", "2025-04-15", "--format", "json"]))
            .unwrap();
    let rows = json["rows"].as_array().unwrap();
    let ron = rows
        .iter()
        .find(|r| r["debtor_code"] == "D1" && r["currency"] == "RON")
        .unwrap();
    assert_eq!(ron["d1_30"], "200.00");
    assert_eq!(ron["d61_90"], "100.50");
    assert_eq!(ron["total"], "300.50");
    let eur_total = rows
        .iter()
        .find(|r| r["debtor_code"] == "TOTAL" && r["currency"] == "EUR")
        .unwrap();
    assert_eq!(eur_total["not_due"], "50.00");

    let csv = env.ok(&[
        "invoices",
        "--overdue",
        "--date",
        "2025-04-15",
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "entity,series,number,debtor,issue_date,due_date,days_late,currency,total,open"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].ends_with(",74,RON,100.50,100.50"), "{}", lines[1]);

    let table = env.ok(&["aging", "--date", "2025-04-15"]);
    assert!(table.contains("Aging on 2025-04-15"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("TOTAL") && l.contains("RON") && l.contains("300.50")),
        "{table}"
    );
}

#[test]
fn organizations_keep_data_apart() {
    let env = Env::new("orgs");
    env.ok(&["org", "add", "Grupul Nord"]);
    let list = env.ok(&["org", "list", "--format", "json"]);
    let names: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(&list)
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, vec!["Grupul Nord", "default"]);
    let e = env.write(
        "e.csv",
        "tax_id,name,ibans\n18547290,Alfa SRL,RO49AAAA1B31007593840000\n",
    );
    env.ok(&["--org", "Grupul Nord", "import", "entities", &e]);
    assert_eq!(
        env.ok(&["import", "entities", &e]).trim(),
        "entities: 1 new, 0 updated, 0 unchanged"
    );
    let missing = env.run(&["--org", "Nu Există", "aging"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("unknown organization \"Nu Există\"")
    );
}

#[test]
fn settings_come_from_creanta_toml_unless_the_environment_says_otherwise() {
    let env = Env::new("config");
    env.write("creanta.toml", "org = \"Din Fișier\"\n");
    env.ok(&["org", "add", "Din Fișier"]);
    let e = env.write(
        "e.csv",
        "tax_id,name,ibans\n18547290,Alfa SRL,RO49AAAA1B31007593840000\n",
    );
    // No --org: the file chose the organization.
    env.ok(&["import", "entities", &e]);
    let out = env.run(&["--org", "default", "import", "entities", &e]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "entities: 1 new, 0 updated, 0 unchanged"
    );
    env.write("creanta.toml", "colour = \"blue\"\n");
    let bad = env.run(&["org", "list"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("creanta.toml: unknown setting \"colour\"")
    );
}

/// Master data and one invoice per debtor, due ten days before 2025-03-03 (a Monday): every
/// debtor is due for the +10 firm reminder that day.
fn calendar_data(env: &Env, debtors: usize) {
    let mut d = String::from("code,name,tax_id\n");
    let mut c = String::from("debtor_code,name,email,role\n");
    let mut i = String::from(
        "entity_tax_id,series,number,issue_date,due_date,buyer_tax_id,debtor_code,currency,total\n",
    );
    for n in 0..debtors {
        d.push_str(&format!("D{n:05},Client {n} SRL,RO{}\n", 14840784));
        c.push_str(&format!(
            "D{n:05},Contabil {n},plati{n}@client{n}.ro,finance\n"
        ));
        i.push_str(&format!(
            "18547290,F,{n:05},2025-01-21,2025-02-21,14840784,D{n:05},RON,1000.00\n"
        ));
    }
    let e = env.write(
        "e.csv",
        "tax_id,name,ibans\n18547290,Alfa Distribuție SRL,RO49AAAA1B31007593840000\n",
    );
    env.ok(&["import", "entities", &e]);
    env.ok(&["import", "debtors", &env.write("d.csv", &d)]);
    env.ok(&["import", "contacts", &env.write("c.csv", &c)]);
    env.ok(&["import", "invoices", &env.write("i.csv", &i)]);
}

#[test]
fn four_runs_at_once_record_and_queue_each_action_once() {
    let env = Env::new("runs");
    let debtors = 1000;
    calendar_data(&env, debtors);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            env.command(&[
                "run",
                "--date",
                "2025-03-03",
                "--no-send",
                "--format",
                "json",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut recorded = std::collections::HashMap::new();
    let mut queued = 0;
    for child in runs {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        queued += report["messages_queued"].as_u64().unwrap();
        for a in report["actions"].as_array().unwrap() {
            assert_eq!(a["step"], "firm_reminder");
            if a["recorded"].as_bool().unwrap() {
                *recorded
                    .entry(a["key"].as_str().unwrap().to_owned())
                    .or_insert(0) += 1;
            }
        }
    }
    // Each debtor's action was recorded by exactly one of the four runs, and its message
    // queued once.
    assert_eq!(recorded.len(), debtors);
    assert!(recorded.values().all(|&n| n == 1));
    assert_eq!(queued, debtors as u64);
    // A fifth run finds everything done; delivering writes one .eml file per debtor.
    let again: serde_json::Value =
        serde_json::from_str(&env.ok(&["run", "--date", "2025-03-03", "--format", "json"]))
            .unwrap();
    assert_eq!(again["recorded"], 0);
    assert_eq!(again["outbox"]["written"], debtors);
    let files = std::fs::read_dir(env.dir.path().join("data/outbox"))
        .unwrap()
        .count();
    assert_eq!(files, debtors);
}
