//! The agenda: what waits for a person today — calls to make, registered letters to send,
//! hand-offs and messages waiting for a manager's approval — oldest first, with why, the
//! number to call and a box to record what came of a task.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use creanta_app::calendar::actions;
use creanta_domain::model::Language;
use serde::Deserialize;

use crate::WebState;
use crate::auth::CurrentUser;
use crate::calendar::{kind_label, status_label};
use crate::error::WebError;
use crate::i18n::{self, Texts};
use crate::pages::{Frame, frame, staff_only};

pub struct AgendaTexts {
    pub title: &'static str,
    pub intro: &'static str,
    pub mine: &'static str,
    pub everyone: &'static str,
    pub date: &'static str,
    pub debtor: &'static str,
    pub step: &'static str,
    pub why: &'static str,
    pub phone: &'static str,
    pub owner: &'static str,
    pub status: &'static str,
    pub outcome_placeholder: &'static str,
    pub done: &'static str,
    pub approve: &'static str,
    pub open_debtor: &'static str,
    pub empty: &'static str,
    pub saved: &'static str,
    pub late_days: &'static str,
    pub more: &'static str,
}

static RO: AgendaTexts = AgendaTexts {
    title: "Agenda zilei",
    intro: "Ce așteaptă o persoană: telefoane de dat, scrisori recomandate de trimis, predări și mesaje care așteaptă aprobarea unui manager. Cele mai vechi întâi.",
    mine: "Clienții mei",
    everyone: "Toți clienții",
    date: "Din",
    debtor: "Client",
    step: "Pas",
    why: "De ce",
    phone: "Telefon",
    owner: "Responsabil",
    status: "Stare",
    outcome_placeholder: "Ce s-a întâmplat (de ex. promite plata vineri)",
    done: "Făcut",
    approve: "Aprobă",
    open_debtor: "Deschide clientul",
    empty: "Nimic de făcut.",
    saved: "Gata: sarcina a fost închisă sau aprobată.",
    late_days: "zile de așteptare",
    more: "Se arată primele",
};

static EN: AgendaTexts = AgendaTexts {
    title: "Today's agenda",
    intro: "What waits for a person: calls to make, registered letters to send, hand-offs and messages waiting for a manager's approval. Oldest first.",
    mine: "My customers",
    everyone: "All customers",
    date: "Since",
    debtor: "Customer",
    step: "Step",
    why: "Why",
    phone: "Phone",
    owner: "Owner",
    status: "Status",
    outcome_placeholder: "What came of it (e.g. promises to pay on Friday)",
    done: "Done",
    approve: "Approve",
    open_debtor: "Open the customer",
    empty: "Nothing to do.",
    saved: "Done: the task was closed or approved.",
    late_days: "days waiting",
    more: "Showing the first",
};

fn texts(lang: Language) -> &'static AgendaTexts {
    match lang {
        Language::Ro => &RO,
        Language::En => &EN,
    }
}

struct TaskView {
    action_id: i64,
    debtor_id: i64,
    since: String,
    /// Days it has waited, when it is older than today.
    waiting: Option<i64>,
    debtor: String,
    step: String,
    kind: String,
    why: String,
    phone: String,
    owner: String,
    status: String,
    can_complete: bool,
    can_approve: bool,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage {
    t: &'static Texts,
    c: &'static AgendaTexts,
    frame: Frame,
    mine: bool,
    tasks: Vec<TaskView>,
    limit: i64,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct AgendaQuery {
    /// `me` (the debtors the user owns) or `all`; managers see everyone's by default.
    #[serde(default)]
    who: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<WebState>,
    user: CurrentUser,
    Query(q): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    staff_only(&user)?;
    let role = user.0.role();
    let mine = match q.who.as_deref() {
        Some("me") => true,
        Some("all") => false,
        _ => !role.manages(),
    };
    let lang = user.0.language();
    let app = user.0.app(&state.store);
    let today = app.today();
    let email = user.0.user.email.clone();
    let tasks = actions::agenda(&app, mine.then_some(email.as_str()), lang)
        .await?
        .into_iter()
        .map(|(r, why)| {
            let a = r.action;
            let waited = i64::from((today - a.run_date).get_days());
            TaskView {
                action_id: a.id,
                debtor_id: a.debtor_id,
                since: i18n::date(a.run_date, lang),
                waiting: (waited > 0).then_some(waited),
                debtor: format!("{} {}", r.debtor_code, r.debtor_name),
                step: format!("{} ({:+})", a.step, a.step_offset),
                kind: kind_label(&a.kind, lang).to_owned(),
                why,
                phone: r.phone.unwrap_or_default(),
                owner: r.debtor_owner.unwrap_or_default(),
                status: status_label(&a.status, lang).to_owned(),
                can_complete: a.status == "open",
                can_approve: role.manages() && a.status == "awaiting_approval",
            }
        })
        .collect();
    let c = texts(lang);
    let page = AgendaPage {
        t: user.texts(),
        c,
        frame: frame(&user, "/agenda"),
        mine,
        tasks,
        limit: actions::AGENDA_LIMIT,
        notice: q.done.map(|_| c.saved),
    };
    Ok(Html(page.render()?).into_response())
}
