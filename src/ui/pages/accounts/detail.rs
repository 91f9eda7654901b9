//! `/accounts/{id}`: one account — its credits, switches, credit changes by hand, the edit
//! form, its actions and deletion.

use super::form::{AccountFields, ACCOUNT_FIELDS};
use super::history::SwitchHistory;
use crate::api::account::{
    get_account, AccountAction, AccountDetail, DeleteAccount, UpdateAccount,
};
use crate::domain::account::AccountStatus;
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::layout::Loaded;
use crate::ui::components::status::{AccountBadge, Meter};
use crate::ui::components::time::{Show, When};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

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
        <Loaded
            resource=detail
            show=move |d| view! { <AccountDetailView detail=d update act delete/> }
            missing="Account not found"
        />
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
