//! The account fields (for adding one, or editing it) and the form that adds an account.

use crate::api::account::CreateAccount;
use crate::domain::account::{Account, Platform};
use crate::error::AppError;
use crate::ui::components::forms::{last_error, textarea_text, FieldError, FormError};
use leptos::prelude::*;

/// `monday` → `Monday`.
fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The account fields, for creating (empty) or editing (filled from `account`).
#[component]
pub(super) fn AccountFields(
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

pub(super) const ACCOUNT_FIELDS: &[&str] = &[
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
pub(super) fn NewAccountForm(action: ServerAction<CreateAccount>) -> impl IntoView {
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
