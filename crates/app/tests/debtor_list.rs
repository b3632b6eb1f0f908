//! The debtors list's derived tables answer exactly what a direct computation over debtors and
//! invoices answers: for every search, filter, sort and page; after a later import changes
//! amounts (incremental refresh); and on a later day (rebuild).

use std::cmp::Reverse;

use creanta_app::App;
use creanta_app::demo::{DemoOptions, generate};
use creanta_app::import::{NoProgress, import_demo};
use creanta_app::testing::TestApp;
use creanta_store::repo::debtor_list::{self, AgingLine, ListQuery, Sort};
use creanta_store::repo::{reports, views};
use jiff::ToSpan;
use jiff::civil::Date;

const TODAY: Date = Date::constant(2026, 6, 15);

/// The list as the old page computed it: every debtor filtered in Rust, aged from invoices.
async fn expected(
    app: &App,
    day: Date,
    q: &ListQuery<'_>,
) -> (Vec<(String, Vec<AgingLine>)>, Vec<AgingLine>) {
    let org = app.org_id();
    let all = views::debtors(&app.store, org, q.search, q.owner, q.group)
        .await
        .unwrap();
    let aging = reports::aging(&app.store, org, day).await.unwrap();
    let lines_of = |code: &str| -> Vec<AgingLine> {
        aging
            .iter()
            .filter(|r| r.debtor_code == code)
            .map(|r| AgingLine {
                currency: r.currency.clone(),
                amounts: [r.not_due, r.d1_30, r.d31_60, r.d61_90, r.over_90, r.total],
            })
            .collect()
    };
    let mut rows: Vec<(views::DebtorSummary, Vec<AgingLine>)> = all
        .into_iter()
        .map(|d| {
            let l = lines_of(&d.code);
            (d, l)
        })
        .filter(|(_, l)| {
            q.bucket
                .is_none_or(|b| l.iter().any(|line| line.amounts[b] > 0))
        })
        .collect();
    let max = |l: &[AgingLine], i: usize| l.iter().map(|x| x.amounts[i]).max().unwrap_or(0);
    match q.sort {
        Sort::Code => rows.sort_by(|a, b| a.0.code.cmp(&b.0.code)),
        Sort::Name => rows.sort_by_key(|a| (views::fold(&a.0.name), a.0.id)),
        Sort::Open => rows.sort_by_key(|a| Reverse((max(&a.1, 5), a.0.id))),
        Sort::Over90 => rows.sort_by_key(|a| Reverse((max(&a.1, 4), a.0.id))),
    }
    let mut totals: Vec<AgingLine> = Vec::new();
    for line in rows.iter().flat_map(|r| &r.1) {
        match totals.iter_mut().find(|t| t.currency == line.currency) {
            Some(t) => {
                for i in 0..6 {
                    t.amounts[i] += line.amounts[i];
                }
            }
            None => totals.push(line.clone()),
        }
    }
    totals.sort_by(|a, b| a.currency.cmp(&b.currency));
    (rows.into_iter().map(|(d, l)| (d.code, l)).collect(), totals)
}

async fn compare(app: &App, day: Date, label: &str) {
    let org = app.org_id();
    let groups = views::group_names(&app.store, org, 10_000).await.unwrap();
    let debtors = views::debtors(&app.store, org, None, None, None)
        .await
        .unwrap();
    let mut owners: Vec<String> = debtors
        .iter()
        .filter_map(|d| d.owner_email.clone())
        .collect();
    owners.sort();
    owners.dedup();
    assert_eq!(
        debtor_list::owners(&app.store, org).await.unwrap(),
        owners,
        "{label}: owners"
    );
    // A fragment of a name with diacritics, typed without them and in capitals.
    let with_diacritics = debtors
        .iter()
        .find(|d| d.name.contains(['ă', 'ș', 'ț', 'î', 'â', 'Ș', 'Ț']))
        .expect("the demo has names with diacritics");
    let fragment: String = views::fold(&with_diacritics.name)
        .chars()
        .take(6)
        .collect::<String>()
        .to_uppercase();
    let code_fragment = debtors[debtors.len() / 2].code[1..].to_owned();
    let tax_fragment: String = debtors[1].tax_id.chars().skip(2).take(5).collect();
    let searches = [
        None,
        Some(fragment.as_str()),
        Some(code_fragment.as_str()),
        Some(tax_fragment.as_str()),
        Some("100%_"),
    ];
    let owner = owners.first().map(String::as_str);
    let group = groups.first().map(String::as_str);
    let mut cases: Vec<ListQuery> = Vec::new();
    for search in searches {
        for sort in [Sort::Code, Sort::Name, Sort::Open, Sort::Over90] {
            cases.push(ListQuery {
                search,
                sort,
                ..Default::default()
            });
        }
    }
    for bucket in 0..5 {
        cases.push(ListQuery {
            bucket: Some(bucket),
            sort: Sort::Open,
            ..Default::default()
        });
        cases.push(ListQuery {
            bucket: Some(bucket),
            owner,
            ..Default::default()
        });
    }
    cases.push(ListQuery {
        owner,
        sort: Sort::Name,
        ..Default::default()
    });
    cases.push(ListQuery {
        group,
        sort: Sort::Over90,
        ..Default::default()
    });
    cases.push(ListQuery {
        group,
        owner,
        bucket: Some(4),
        ..Default::default()
    });
    cases.push(ListQuery {
        owner: Some("nobody@example.com"),
        ..Default::default()
    });
    let mut non_empty = 0;
    for q in cases {
        let (rows, totals) = expected(app, day, &q).await;
        let all = debtor_list::page(
            &app.store,
            org,
            day,
            &ListQuery {
                offset: 0,
                limit: 100_000,
                ..q.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(all.as_of, day, "{label}");
        assert_eq!(all.count, rows.len(), "{label}: count for {q:?}");
        let got: Vec<(String, Vec<AgingLine>)> = all
            .rows
            .iter()
            .map(|r| (r.debtor.code.clone(), r.aging.clone()))
            .collect();
        assert_eq!(got, rows, "{label}: rows for {q:?}");
        assert_eq!(all.totals, totals, "{label}: totals for {q:?}");
        // A middle page is the same slice of the whole list.
        let page = debtor_list::page(
            &app.store,
            org,
            day,
            &ListQuery {
                offset: 7,
                limit: 7,
                ..q.clone()
            },
        )
        .await
        .unwrap();
        let codes: Vec<&str> = page.rows.iter().map(|r| r.debtor.code.as_str()).collect();
        let want: Vec<&str> = rows.iter().skip(7).take(7).map(|r| r.0.as_str()).collect();
        assert_eq!(codes, want, "{label}: page 2 of {q:?}");
        non_empty += usize::from(!rows.is_empty());
    }
    assert!(
        non_empty > 20,
        "{label}: the cases must find debtors ({non_empty})"
    );
}

#[tokio::test]
async fn the_list_agrees_with_a_direct_computation_after_imports_and_on_a_later_day() {
    let t = TestApp::new().await;
    let full = generate(&DemoOptions {
        debtors: 80,
        seed: 7,
        today: TODAY,
        documents: false,
    });
    let mut without_payments = full.clone();
    without_payments.payments.clear();
    import_demo(&t.app, without_payments, &NoProgress)
        .await
        .unwrap();

    debtor_list::ensure_current(&t.app.store, t.app.org_id(), TODAY)
        .await
        .unwrap();
    compare(&t.app, TODAY, "before payments").await;

    // The snapshot is current, so only the import's own refresh can bring the payments in.
    let summaries = import_demo(&t.app, full, &NoProgress)
        .await
        .unwrap()
        .summaries;
    let allocated: usize = summaries.iter().map(|s| s.payments_allocated).sum();
    assert!(allocated > 100, "payments allocated: {allocated}");
    compare(&t.app, TODAY, "after payments").await;

    let later = TODAY.checked_add(45.days()).unwrap();
    debtor_list::ensure_current(&t.app.store, t.app.org_id(), later)
        .await
        .unwrap();
    compare(&t.app, later, "45 days later").await;
    t.cleanup().await;
}
