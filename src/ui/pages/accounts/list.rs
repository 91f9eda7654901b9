//! `/accounts`: the filters, one page of the account list, and the side panels beside it.

use super::form::NewAccountForm;
use super::import::ImportPanel;
use super::select::SelectPanel;
use crate::api::account::{
    list_accounts, AccountListing, CreateAccount, ImportAccounts, SelectAccount,
};
use crate::domain::account::{
    AccountQuery, AccountQueryInput, AccountSort, AccountStatus, Platform,
};
use crate::ui::components::layout::Loaded;
use crate::ui::components::status::{AccountBadge, Meter};
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
                <Loaded
                    resource=listing
                    show=move |l| view! { <AccountList listing=l/> }
                    loading="Loading accounts…"
                    padded=true
                />
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
