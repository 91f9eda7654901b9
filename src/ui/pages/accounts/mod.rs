//! `/accounts`: the pool with headroom and refill times, picking the best account, adding
//! and importing accounts; `/accounts/{id}`: one account, its actions and switch history.

use crate::api::account::{
    get_account, list_accounts, AccountAction, AccountDetail, AccountListing, CreateAccount,
    DeleteAccount, ImportAccounts, SelectAccount, UpdateAccount,
};
use crate::domain::account::{
    Account, AccountQuery, AccountQueryInput, AccountSort, AccountStatus, AccountSwitch, Platform,
    Strategy,
};
use crate::domain::time::Timestamp;
use crate::error::AppError;
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use crate::ui::components::layout::ErrorPanel;
use crate::ui::components::status::{AccountBadge, Meter};
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AccountsPage() -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let import = ServerAction::<ImportAccounts>::new();
    let select = ServerAction::<SelectAccount>::new();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            AccountQuery::parse_lenient(&AccountQueryInput {
                status: q.get("status"),
                platform: q.get("platform"),
                q: q.get("q"),
                sort: q.get("sort"),
                page: q.get("page"),
            })
        })
    });
    let listing = Resource::new(
        move || {
            (
                query.get(),
                create.version().get(),
                import.version().get(),
                select.version().get(),
            )
        },
        |(q, ..)| {
            list_accounts(
                q.status.map(|s| s.as_str().to_owned()),
                q.platform.map(|p| p.as_str().to_owned()),
                q.q.clone(),
                Some(q.sort.as_str().to_owned()),
                Some(q.page.to_string()),
            )
        },
    );
    view! {
        <Title text="Accounts"/>
        <div class="page-head">
            <div>
                <h1>"Accounts"</h1>
                <p class="muted">"Your AI accounts, their credits and when they refill."</p>
            </div>
            <a class="btn primary show-narrow" href="#account-name">"Add account"</a>
        </div>
        <div class="split">
            <section class="panel list-panel" aria-labelledby="accounts-title">
                <h2 id="accounts-title" class="sr-only">"Account list"</h2>
                <AccountFilters query/>
                <Transition fallback=|| view! { <p class="muted pad">"Loading accounts…"</p> }>
                    {move || Suspend::new(async move {
                        match listing.await {
                            Ok(l) => view! { <AccountList listing=l/> }.into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <div class="side-stack">
                <SelectPanel action=select/>
                <NewAccountForm action=create/>
                <ImportPanel action=import/>
            </div>
        </div>
    }
}

fn link(q: &AccountQuery) -> String {
    format!("/accounts{}", q.to_query_string())
}

#[component]
fn AccountFilters(query: Memo<AccountQuery>) -> impl IntoView {
    let mut tabs: Vec<(Option<AccountStatus>, &'static str)> = vec![(None, "All")];
    tabs.extend(AccountStatus::ALL.iter().map(|s| (Some(*s), s.label())));
    view! {
        <div class="toolbar">
            <nav class="tabs" aria-label="Filter by status">
                {tabs
                    .into_iter()
                    .map(|(s, label)| {
                        view! {
                            <a
                                href=move || link(&AccountQuery { status: s, page: 1, ..query.get() })
                                aria-current=move || (query.get().status == s).then_some("page")
                            >
                                {label}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <form method="get" action="/accounts" class="search" role="search">
                {move || query.get().status.map(|s| view! { <input type="hidden" name="status" value=s.as_str()/> })}
                <label class="sr-only" for="account-search">"Search name or specialization"</label>
                <input id="account-search" type="search" name="q" placeholder="Search name or specialization"
                    prop:value=move || query.get().q.unwrap_or_default()/>
                <label class="sr-only" for="platform-filter">"Platform"</label>
                <select id="platform-filter" name="platform">
                    <option value="" selected=move || query.get().platform.is_none()>"All platforms"</option>
                    {Platform::ALL
                        .iter()
                        .map(|p| {
                            let p = *p;
                            view! {
                                <option value=p.as_str() selected=move || query.get().platform == Some(p)>
                                    {p.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="submit" class="btn small">"Filter"</button>
            </form>
        </div>
        <div class="toolbar sub">
            <nav class="sort" aria-label="Sort">
                <span class="muted">"Sort"</span>
                {AccountSort::ALL
                    .into_iter()
                    .map(|s| {
                        view! {
                            <a
                                href=move || link(&AccountQuery { sort: s, page: 1, ..query.get() })
                                aria-current=move || (query.get().sort == s).then_some("true")
                            >
                                {s.label()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
        </div>
    }
}

#[component]
fn AccountList(listing: AccountListing) -> impl IntoView {
    let AccountListing { page, query, now } = listing;
    if page.items.is_empty() {
        let filtered = query.status.is_some() || query.platform.is_some() || query.q.is_some();
        return if filtered {
            view! {
                <div class="empty" data-testid="empty">
                    <p>"No account matches these filters."</p>
                    <a href="/accounts">"Show all accounts"</a>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="first-run" data-testid="accounts-first-run">
                    <h3>"Add the AI accounts you work with"</h3>
                    <p>
                        "For each account, say how many credits it has, what it refills to and when "
                        "(daily, every few hours, weekly or monthly). PAAS then tells you which one to "
                        "use next and when each will be full again. No passwords or keys are stored."
                    </p>
                    <ol class="steps">
                        <li><a href="#account-name">"Add one account"</a>" with the form, or"</li>
                        <li><a href="#import-text">"paste many"</a>" as CSV or JSON lines."</li>
                    </ol>
                </div>
            }
            .into_any()
        };
    }
    let prev = page.has_prev().then(|| AccountQuery {
        page: page.page - 1,
        ..query.clone()
    });
    let next = page.has_next().then(|| AccountQuery {
        page: page.page + 1,
        ..query.clone()
    });
    let summary = format!(
        "Page {} of {} · {} account{}",
        page.page,
        page.total_pages(),
        page.total,
        if page.total == 1 { "" } else { "s" }
    );
    let rows = page
        .items
        .into_iter()
        .map(|v| {
            let a = v.account;
            view! {
                <tr data-testid="account-row" data-account-id=a.id.0>
                    <td class="cell-title">
                        <a class="row-title" href=format!("/accounts/{}", a.id)>{a.account_name.clone()}</a>
                        <div class="row-sub">
                            {a.platform.label()}
                            {a.specialization.clone().map(|s| format!(" · {s}"))}
                        </div>
                    </td>
                    <td class="cell-meter">
                        <Meter credits=a.credits_available capacity=a.credit_capacity percent=v.headroom_percent headroom=v.headroom/>
                    </td>
                    <td><AccountBadge status=a.status/></td>
                    <td class="hide-sm">
                        <div class="nowrap" data-testid="refresh">{match a.next_refresh_at { Some(t) => view! { <When at=t now show=Show::Until/> }.into_any(), None => "—".into_any() }}</div>
                        <div class="row-sub">{v.reset_label.clone()}</div>
                    </td>
                    <td class="hide-sm muted nowrap">{match a.last_used_at { Some(t) => view! { <When at=t now/> }.into_any(), None => "never".into_any() }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Accounts">
            <table class="table" data-testid="account-list">
                <thead>
                    <tr>
                        <th scope="col">"Account"</th>
                        <th scope="col">"Credits"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="hide-sm">"Refills"</th>
                        <th scope="col" class="hide-sm">"Last used"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {prev.map(|q| view! { <a rel="prev" href=link(&q)>"← Previous"</a> })}
            <span class="muted">{summary}</span>
            {next.map(|q| view! { <a rel="next" href=link(&q)>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn SelectPanel(action: ServerAction<SelectAccount>) -> impl IntoView {
    let error = last_error(action.value());
    let result = move || action.value().get().and_then(|r| r.ok());
    view! {
        <section class="panel write-only" aria-labelledby="select-title" data-testid="select-panel">
            <h2 id="select-title">"Which account next?"</h2>
            <ActionForm action attr:class="form">
                <div class="field">
                    <label for="select-specialization">"Specialization " <span class="muted">"(optional)"</span></label>
                    <input id="select-specialization" name="specialization" type="text" placeholder="e.g. Frontend"/>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="select-min">"Min credits"</label>
                        <input id="select-min" name="min_credits" type="number" min="0" value="50"/>
                        <FieldError error field="min_credits" id="select-min-error"/>
                    </div>
                    <div class="field">
                        <label for="select-strategy">"Strategy"</label>
                        <select id="select-strategy" name="strategy">
                            {Strategy::ALL.map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <button type="submit" class="btn primary">"Pick account"</button>
            </ActionForm>
            {move || error.get().map(|e| match e {
                AppError::NoAccount { message, suggestion } => view! {
                    <div class="result warn" role="status" data-testid="select-none">
                        <p class="result-title">{message}</p>
                        <p>{suggestion}</p>
                    </div>
                }.into_any(),
                other => view! { <p class="form-error" role="alert">{other.to_string()}</p> }.into_any(),
            })}
            {move || result().map(|s| view! {
                <div class="result ok" role="status" data-testid="select-result">
                    <p class="result-title">
                        "Use " <a href=format!("/accounts/{}", s.account.id)>{s.account.account_name.clone()}</a>
                        <span class="muted">{format!(" · {}", crate::ui::components::status::credits(s.account.credits_available))}</span>
                    </p>
                    <p class="muted" data-testid="select-reason">{s.reason.clone()}</p>
                </div>
            })}
        </section>
    }
}

/// `monday` → `Monday`.
fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The account fields, for creating (empty) or editing (filled from `account`).
#[component]
fn AccountFields(
    account: Option<Account>,
    error: Signal<Option<AppError>>,
    prefix: &'static str,
) -> impl IntoView {
    let a = account.clone();
    let edit_meta = a.as_ref().map(|a| (a.credits_available, a.version));
    let val = move |f: fn(&Account) -> Option<String>| a.as_ref().and_then(f).unwrap_or_default();
    let reset = account
        .as_ref()
        .map(|a| a.reset.clone())
        .unwrap_or_default();
    let kind = reset.kind.clone().unwrap_or_else(|| "none".into());
    // a new account's platform is chosen, never assumed
    let platform = account.as_ref().map(|a| a.platform);
    let is_new = account.is_none();
    let tz_value = reset.tz.clone().unwrap_or_default();
    let zone = crate::ui::components::time::zone_now();
    let tz_shown = move || {
        if tz_value.is_empty() && is_new {
            zone()
        } else {
            tz_value.clone()
        }
    };
    let id = move |f: &str| format!("{prefix}-{f}");
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.message_for(field))
                .is_some()
                .then_some("true")
        }
    };
    view! {
        <div class="field">
            <label for=id("name")>"Name"</label>
            <input id=id("name") name="form[account_name]" type="text" required maxlength="100" autocomplete="off"
                placeholder="e.g. Claude-Pro-1" value=val(|a| Some(a.account_name.clone()))
                aria-invalid=invalid("account_name")/>
            <FieldError error field="account_name" id="account-name-error"/>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("platform")>"Platform"</label>
                <select id=id("platform") name="form[platform]" required aria-invalid=invalid("platform")>
                    {is_new.then(|| view! { <option value="" selected=true disabled=true>"Choose…"</option> })}
                    {Platform::ALL.iter().map(|p| view! {
                        <option value=p.as_str() selected=Some(*p) == platform>{p.label()}</option>
                    }).collect_view()}
                </select>
                <FieldError error field="platform" id="account-platform-error"/>
            </div>
            <div class="field">
                <label for=id("email")>"Email " <span class="muted">"(optional)"</span></label>
                <input id=id("email") name="form[account_email]" type="email" autocomplete="off"
                    value=val(|a| a.account_email.clone()) aria-invalid=invalid("account_email")/>
                <FieldError error field="account_email" id="account-email-error"/>
            </div>
        </div>
        <div class="field">
            <label for=id("spec")>"Specialization " <span class="muted">"(optional)"</span></label>
            <input id=id("spec") name="form[specialization]" type="text" placeholder="e.g. React, UI/UX"
                value=val(|a| a.specialization.clone())/>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("credits")>"Credits now"</label>
                <input id=id("credits") name="form[credits_available]" type="number" min="0"
                    placeholder="= capacity" value=val(|a| Some(a.credits_available.to_string()))
                    aria-invalid=invalid("credits_available")/>
                // what the form showed: unchanged credits are no change, so debits made
                // while it was open stay; a changed value is checked against it
                {edit_meta.map(|(credits, version)| view! {
                    <input type="hidden" name="form[credits_expected]" value=credits.to_string()/>
                    <input type="hidden" name="form[version]" value=version.to_string()/>
                })}
                <FieldError error field="credits_available" id="account-credits-error"/>
            </div>
            <div class="field">
                <label for=id("capacity")>"Refills to"</label>
                <input id=id("capacity") name="form[credit_capacity]" type="number" min="0"
                    placeholder="100" value=val(|a| Some(a.credit_capacity.to_string()))
                    aria-invalid=invalid("credit_capacity")/>
                <FieldError error field="credit_capacity" id="account-capacity-error"/>
            </div>
        </div>
        <fieldset class="fieldset refill">
            <legend>"Refill schedule"</legend>
            // only the fields of the chosen rule show (CSS :has, so without JavaScript too)
            <div class="field-row">
                <div class="field">
                    <label for=id("reset-kind")>"Refills"</label>
                    <select id=id("reset-kind") name="form[reset_kind]" class="reset-kind">
                        {[("none", "By hand"), ("daily", "Daily"), ("rolling", "Every N hours"), ("weekly", "Weekly"), ("monthly", "Monthly")]
                            .map(|(v, l)| view! { <option value=v selected=kind == v>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field" data-for="rolling">
                    <label for=id("reset-hours")>"Every (hours)"</label>
                    <input id=id("reset-hours") name="form[reset_hours]" type="number" min="1" max="744"
                        value=reset.hours.map(|h| h.to_string()).unwrap_or_default()
                        aria-invalid=invalid("reset.hours")/>
                </div>
                <div class="field" data-for="weekly">
                    <label for=id("reset-weekday")>"On"</label>
                    <select id=id("reset-weekday") name="form[reset_weekday]">
                        {["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
                            .map(|d| view! { <option value=d selected=reset.weekday.as_deref() == Some(d)>{title_case(d)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field" data-for="monthly">
                    <label for=id("reset-day")>"Day of the month"</label>
                    <input id=id("reset-day") name="form[reset_day]" type="number" min="1" max="31"
                        value=reset.day.map(|d| d.to_string()).unwrap_or_default()
                        aria-invalid=invalid("reset.day")/>
                </div>
                <div class="field" data-for="daily weekly monthly">
                    <label for=id("reset-at")>"At"</label>
                    <input id=id("reset-at") name="form[reset_at]" type="time" placeholder="00:00"
                        value=reset.at.clone().unwrap_or_default() aria-invalid=invalid("reset.at")/>
                </div>
                <div class="field" data-for="daily weekly monthly">
                    <label for=id("reset-tz")>"Time zone"</label>
                    <input id=id("reset-tz") name="form[reset_tz]" type="text" list="time-zones" autocomplete="off"
                        placeholder="UTC" spellcheck="false"
                        value=tz_shown aria-invalid=invalid("reset.tz")/>
                    <crate::ui::components::time::TimeZoneList/>
                </div>
            </div>
            {["reset.kind", "reset.at", "reset.tz", "reset.hours", "reset.weekday", "reset.day"]
                .map(|f| view! { <FieldError error field=f id="account-reset-error"/> })
                .collect_view()}
        </fieldset>
        <div class="field">
            <label for=id("notes")>"Notes " <span class="muted">"(optional; never passwords)"</span></label>
            <textarea id=id("notes") name="form[notes]" rows="2">{textarea_text(&val(|a| a.notes.clone()))}</textarea>
        </div>
    }
}

const ACCOUNT_FIELDS: &[&str] = &[
    "account_name",
    "account_email",
    "platform",
    "specialization",
    "notes",
    "credits_available",
    "credit_capacity",
    "reset.kind",
    "reset.at",
    "reset.tz",
    "reset.hours",
    "reset.weekday",
    "reset.day",
];

#[component]
fn NewAccountForm(action: ServerAction<CreateAccount>) -> impl IntoView {
    let error = last_error(action.value());
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let created = move || action.value().get().and_then(|r| r.ok());
    Effect::new(move |_| {
        if created().is_some() {
            if let Some(form) = form_ref.get() {
                form.reset();
            }
        }
    });
    view! {
        <section class="panel write-only" aria-labelledby="new-account-title">
            <h2 id="new-account-title">"Add account"</h2>
            <ActionForm action node_ref=form_ref attr:class="form" attr:id="new-account-form">
                <span id="account-name"></span>
                <AccountFields account=None error prefix="new"/>
                <FormError error fields=ACCOUNT_FIELDS/>
                <button type="submit" class="btn primary">"Add account"</button>
            </ActionForm>
            {move || created().map(|a| view! {
                <p class="form-ok" role="status">"Added " <a href=format!("/accounts/{}", a.id)>{a.account_name}</a></p>
            })}
        </section>
    }
}

#[component]
fn ImportPanel(action: ServerAction<ImportAccounts>) -> impl IntoView {
    let error = last_error(action.value());
    let report = move || action.value().get().and_then(|r| r.ok());
    view! {
        <section class="panel write-only" aria-labelledby="import-title">
            <h2 id="import-title">"Import many"</h2>
            <ActionForm action attr:class="form" attr:id="import-form">
                <div class="field">
                    <label for="import-text">"CSV with a header row, or JSON lines"</label>
                    <textarea id="import-text" name="text" rows="5" class="mono" required
                        placeholder="account_name,platform,credits,capacity,reset,reset_hours\nClaude-1,claude,80,100,rolling,5"></textarea>
                    <FieldError error field="text" id="import-text-error"/>
                </div>
                <label class="check">
                    <input type="checkbox" name="atomic" value="true"/>
                    " All or nothing (create none if any row is wrong)"
                </label>
                <FormError error fields=&["text"]/>
                <button type="submit" class="btn">"Import"</button>
            </ActionForm>
            {move || report().map(|r| {
                let n = r.created.len();
                let summary = if r.atomic && !r.errors.is_empty() {
                    format!("Nothing imported: {} row(s) need fixing.", r.errors.len())
                } else {
                    format!("Imported {n} account{}.", if n == 1 { "" } else { "s" })
                };
                view! {
                    <div class=if r.errors.is_empty() { "result ok" } else { "result warn" } role="status" data-testid="import-report">
                        <p class="result-title">{summary}</p>
                        {(!r.errors.is_empty()).then(|| view! {
                            <ul class="row-errors">
                                {r.errors.iter().map(|e| view! {
                                    <li>{format!("Line {}: {}: {}", e.row, e.field, e.error)}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    </div>
                }
            })}
        </section>
    }
}

// ---------- one account ----------

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateAccount>::new();
    let act = ServerAction::<AccountAction>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    let detail = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                update.version().get(),
                act.version().get(),
            )
        },
        |(id, ..)| get_account(id),
    );
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/accounts">"Accounts"</a></nav>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <AccountDetailView detail=d update act delete/> }.into_any(),
                    Err(e) => {
                        crate::ui::components::layout::set_http_status(&e);
                        view! { <Title text="Account not found"/><ErrorPanel error=e/> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AccountDetailView(
    detail: AccountDetail,
    update: ServerAction<UpdateAccount>,
    act: ServerAction<AccountAction>,
    delete: ServerAction<DeleteAccount>,
) -> impl IntoView {
    let AccountDetail {
        view: v,
        switches,
        adjustments,
        now,
    } = detail;
    let a = v.account.clone();
    let id = a.id.to_string();
    let update_error = last_error(update.value());
    let act_error = last_error(act.value());
    let delete_error = last_error(delete.value());
    let blocked = a.status == AccountStatus::Blocked;
    let (id_edit, id_act, id_delete) = (id.clone(), id.clone(), id);
    let a_edit = a.clone();
    view! {
        <Title text=a.account_name.clone()/>
        <div class="page-head">
            <div class="title-block">
                <h1 data-testid="account-title">{a.account_name.clone()}</h1>
                <div class="meta-line">
                    <AccountBadge status=a.status/>
                    <span class="muted">
                        {a.platform.label()}
                        {a.specialization.clone().map(|s| format!(" · {s}"))}
                        {a.account_email.clone().map(|e| format!(" · {e}"))}
                    </span>
                </div>
            </div>
        </div>
        <div class="detail">
            <div class="detail-main">
                <section class="panel" aria-labelledby="credits-title">
                    <h2 id="credits-title">"Credits"</h2>
                    <Meter credits=a.credits_available capacity=a.credit_capacity percent=v.headroom_percent headroom=v.headroom/>
                    <dl class="facts">
                        <div><dt>"Refills"</dt><dd>{v.reset_label.clone()}</dd></div>
                        <div><dt>"Next refill"</dt><dd data-testid="next-refill">{
                            match a.next_refresh_at {
                                Some(t) => view! { <When at=t now show=Show::UntilClock/> }.into_any(),
                                None => "by hand".into_any(),
                            }
                        }</dd></div>
                        <div><dt>"Last refill"</dt><dd>{match a.last_refresh_at { Some(t) => view! { <When at=t now/> }.into_any(), None => "—".into_any() }}</dd></div>
                        <div><dt>"Last used"</dt><dd>{match a.last_used_at { Some(t) => view! { <When at=t now/> }.into_any(), None => "never".into_any() }}</dd></div>
                    </dl>
                    {a.notes.clone().map(|n| view! { <p class="prose muted">{n}</p> })}
                </section>
                <SwitchHistory switches now title="Switch history"/>
                {(!adjustments.is_empty()).then(|| view! {
                    <section class="panel" aria-labelledby="adjust-title" data-testid="credit-changes">
                        <h2 id="adjust-title">"Credit changes by hand"</h2>
                        <ul class="timeline">
                            {adjustments.into_iter().map(|a| {
                                let delta = a.credits_after - a.credits_before;
                                view! {
                                    <li>
                                        <div class="timeline-head">
                                            <strong>{if delta >= 0 { format!("+{delta}") } else { format!("−{}", delta.unsigned_abs()) }}</strong>
                                            <span class="muted">{format!("{} → {} credits", a.credits_before, a.credits_after)}</span>
                                            <When at=a.created_at now=now class="muted"/>
                                        </div>
                                        <p class="muted reason">{a.reason}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                <details class="panel disclosure write-only" open=move || update_error.get().is_some()>
                    <summary>"Edit account"</summary>
                    <ActionForm action=update attr:class="form">
                        <input type="hidden" name="id" value=id_edit/>
                        <AccountFields account=Some(a_edit) error=update_error prefix="edit"/>
                        <FormError error=update_error fields=ACCOUNT_FIELDS/>
                        <button type="submit" class="btn primary">"Save changes"</button>
                    </ActionForm>
                </details>
            </div>
            <aside class="detail-side">
                <section class="panel write-only" aria-labelledby="actions-title">
                    <h2 id="actions-title">"Actions"</h2>
                    <ActionForm action=act attr:class="stack-form">
                        <input type="hidden" name="id" value=id_act/>
                        <button type="submit" class="btn primary" name="action" value="use"
                            disabled=blocked || a.status == AccountStatus::Active>"Use this account now"</button>
                        <button type="submit" class="btn" name="action" value="refilled" disabled=blocked>"Mark refilled now"</button>
                        <button type="submit" class="btn" name="action" value="exhausted"
                            disabled=blocked || a.status == AccountStatus::Exhausted>"Mark exhausted"</button>
                        {if blocked {
                            view! { <button type="submit" class="btn" name="action" value="unblock">"Unblock"</button> }.into_any()
                        } else {
                            view! { <button type="submit" class="btn danger" name="action" value="block">"Block"</button> }.into_any()
                        }}
                    </ActionForm>
                    <FormError error=act_error fields=&[]/>
                </section>
                <section class="panel danger write-only" aria-labelledby="delete-title">
                    <h2 id="delete-title">"Delete"</h2>
                    <p class="muted">"Only an account without sessions or handoffs can be deleted; block it otherwise."</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id_delete/>
                        <label class="check">
                            <input
                                type="checkbox"
                                name="confirm"
                                value="yes"
                                required
                                aria-describedby="delete-confirm-error"
                                data-testid="delete-confirm"
                            />
                            " Delete it for good (this cannot be undone)"
                        </label>
                        <FieldError error=delete_error field="confirm" id="delete-confirm-error"/>
                        <button type="submit" class="btn danger" data-testid="delete-account">{format!("Delete “{}”", a.account_name)}</button>
                    </ActionForm>
                    <FormError error=delete_error fields=&["confirm"]/>
                </section>
            </aside>
        </div>
    }
    .into_any()
}

/// A table of account switches, newest first.
#[component]
pub fn SwitchHistory(
    switches: Vec<AccountSwitch>,
    now: Timestamp,
    title: &'static str,
) -> impl IntoView {
    view! {
        <section class="panel" aria-label=title data-testid="switch-history">
            <h2>{title}</h2>
            {if switches.is_empty() {
                view! { <p class="muted">"No switches yet. Picking, rotating or switching accounts records them here."</p> }.into_any()
            } else {
                view! {
                    <ul class="timeline">
                        {switches.into_iter().map(|s| {
                            let from = s.from_account_name.clone().unwrap_or_else(|| "—".into());
                            let to = s.to_account_name.clone().unwrap_or_else(|| "—".into());
                            view! {
                                <li data-testid="switch">
                                    <div class="timeline-head">
                                        <span class="kind">{s.kind.label()}</span>
                                        <span>{from} " → " <strong>{to}</strong></span>
                                        {s.project_name.clone().map(|p| view! { <span class="muted">{format!("· {p}")}</span> })}
                                        <When at=s.created_at now=now class="muted"/>
                                    </div>
                                    <p class="muted reason">{s.reason.clone()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
