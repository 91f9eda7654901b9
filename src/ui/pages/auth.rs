//! Sign-in pages (`/login`, `/setup`, `/invite/{secret}`: plain form posts that work
//! without JavaScript), the signed-in user's settings (`/settings`: API tokens, sessions)
//! and the owner's page (`/admin`: users, invitations, who is signed in, the audit log, the
//! model pass).

use crate::api::auth::{
    admin_overview, auth_status, invitation_info, my_tokens, AdminInvite, AdminResetPassword,
    AdminSetDisabled, AdminSignOutUser, CreateMyToken, RevokeMyToken,
};
use crate::domain::auth::{Role, Scope};
use crate::ui::components::forms::{last_error, FieldError, FormError};
use crate::ui::components::layout::{set_http_status, ErrorPanel};
use crate::ui::components::time::When;
use crate::ui::pages::model::ModelPassPanel;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The fixed message of an error code in a sign-in page's query string (never text taken
/// from the address itself).
fn message(code: &str, wait: Option<String>) -> Option<String> {
    Some(match code {
        "failed" => "That e-mail and password do not match an active user.".into(),
        "throttled" => format!(
            "Too many failed attempts. Try again in {} s.",
            wait.unwrap_or_else(|| "a few".into())
        ),
        "code" => "That setup code is not right. It is printed in the server log.".into(),
        "email" => "Enter a valid e-mail address.".into(),
        "name" => "Enter a name (up to 200 characters).".into(),
        "password" => "Choose a password of at least 12 characters that is not a common one: a few unrelated words work well.".into(),
        "taken" => "That is already done: a user with this e-mail exists, or this server has its owner.".into(),
        "expired" => "This invitation link is not valid any more. Ask the owner for a new one.".into(),
        _ => return None,
    })
}

#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth-wrap">
            <section class="panel auth-card" aria-labelledby="auth-title">
                <h1 id="auth-title">{title}</h1>
                {children()}
            </section>
        </div>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error").and_then(|c| message(&c, q.get("wait"))));
    let signed_out = move || query.with(|q| q.get("signed_out").is_some());
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    let status = Resource::new(|| (), |_| auth_status());
    view! {
        <Title text="Sign in"/>
        <AuthCard title="Sign in">
            <Suspense fallback=|| ()>
                {move || status.get().and_then(|s| s.ok()).filter(|s| s.needs_setup).map(|_| view! {
                    <p class="notice" data-testid="needs-setup">
                        "This server has no users yet. " <a href="/setup">"Create the owner"</a> "."
                    </p>
                })}
            </Suspense>
            {move || signed_out().then(|| view! { <p class="form-ok" role="status">"You are signed out."</p> })}
            {move || error().map(|m| view! { <p class="form-error" role="alert" data-testid="login-error">{m}</p> })}
            <form method="post" action="/login" class="form" data-testid="login-form">
                <input type="hidden" name="next" prop:value=next value=next/>
                <div class="field">
                    <label for="login-email">"E-mail"</label>
                    <input id="login-email" name="email" type="email" autocomplete="username" required autofocus/>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <button type="submit" class="btn primary">"Sign in"</button>
            </form>
            <p class="muted small">"Forgot it? An owner can set a new one, or on the server: "
                <code>"paas user reset-password --email … --password-stdin"</code></p>
        </AuthCard>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error").and_then(|c| message(&c, None)));
    let status = Resource::new(|| (), |_| auth_status());
    view! {
        <Title text="Set up"/>
        <AuthCard title="Create the owner">
            <Suspense fallback=|| ()>
                {move || status.get().and_then(|s| s.ok()).map(|s| if s.needs_setup {
                    view! {
                        <p class="muted">"The owner manages users and can do everything. Enter the one-time setup code from the server log, so that nobody else can claim this server."</p>
                        {error().map(|m| view! { <p class="form-error" role="alert" data-testid="setup-error">{m}</p> })}
                        <form method="post" action="/setup" class="form" data-testid="setup-form">
                            <div class="field">
                                <label for="setup-code">"Setup code"</label>
                                <input id="setup-code" name="code" type="text" autocomplete="off" required spellcheck="false"/>
                            </div>
                            <div class="field">
                                <label for="setup-name">"Your name"</label>
                                <input id="setup-name" name="name" type="text" autocomplete="name" required/>
                            </div>
                            <div class="field">
                                <label for="setup-email">"E-mail"</label>
                                <input id="setup-email" name="email" type="email" autocomplete="username" required/>
                            </div>
                            <div class="field">
                                <label for="setup-password">"Password"</label>
                                <input id="setup-password" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="setup-password-hint"/>
                                <p class="muted small" id="setup-password-hint">"At least 12 characters; a few unrelated words work well."</p>
                            </div>
                            <button type="submit" class="btn primary">"Create owner and sign in"</button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <p>"This server already has its owner."</p>
                        <a class="btn primary" href="/login">"Sign in"</a>
                    }.into_any()
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let secret = move || params.with(|p| p.get("secret").unwrap_or_default());
    let error = move || query.with(|q| q.get("error").and_then(|c| message(&c, None)));
    let invite = Resource::new(secret, invitation_info);
    view! {
        <Title text="Invitation"/>
        <AuthCard title="Join this server">
            <Suspense fallback=|| ()>
                {move || invite.get().map(|r| match r {
                    Ok(i) => view! {
                        <p>"You are invited as " <strong>{i.name.clone()}</strong> " (" {i.email.clone()} "), role " {i.role.label()} "."</p>
                        {error().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                        <form method="post" action=format!("/invite/{}", secret()) class="form" data-testid="invite-form">
                            <div class="field">
                                <label for="invite-password">"Choose a password"</label>
                                <input id="invite-password" name="password" type="password" autocomplete="new-password" minlength="12" required/>
                                <p class="muted small">"At least 12 characters; a few unrelated words work well."</p>
                            </div>
                            <button type="submit" class="btn primary">"Join and sign in"</button>
                        </form>
                    }.into_any(),
                    Err(_) => view! {
                        <p class="form-error" role="alert">{message("expired", None)}</p>
                    }.into_any(),
                })}
            </Suspense>
        </AuthCard>
    }
}

/// `/settings`: the signed-in user's API tokens and sessions.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateMyToken>::new();
    let revoke = ServerAction::<RevokeMyToken>::new();
    let data = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| my_tokens(),
    );
    let error = last_error(create.value());
    view! {
        <Title text="Settings"/>
        <div class="page-head">
            <div>
                <h1>"Settings"</h1>
                <p class="muted">"Your API tokens and where you are signed in."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(s) => {
                    let now = s.now;
                    let can_write = s.me.role.max_access() >= crate::domain::auth::Access::Write;
                    let owner = s.me.role == Role::Owner;
                    view! {
                        <p class="meta-line" data-testid="me">
                            "Signed in as " <strong>{s.me.name.clone()}</strong> " · " {s.me.email.clone()} " · " {s.me.role.label()}
                        </p>
                        <div class="split">
                            <section class="panel" aria-labelledby="token-list">
                                <h2 id="token-list">"Tokens"</h2>
                                {if s.tokens.is_empty() {
                                    view! { <p class="empty">"No tokens yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label="Tokens"><table class="table" data-testid="tokens">
                                            <thead><tr><th>"Name"</th><th>"Token"</th><th>"Scope"</th><th>"Last used"</th><th>"State"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>
                                                {s.tokens.iter().map(|t| {
                                                    let usable = t.usable(now);
                                                    let state = if t.revoked_at.is_some() { "revoked".to_string() }
                                                        else if !usable { "expired".to_string() }
                                                        else { t.expires_at.map(|e| format!("until {}", e.date())).unwrap_or_else(|| "active".into()) };
                                                    let id = t.id.to_string();
                                                    view! {
                                                        <tr>
                                                            <td>{t.name.clone()}</td>
                                                            <td class="mono">{format!("{}…", t.prefix)}</td>
                                                            <td>{t.scope.as_str()}</td>
                                                            <td>{match t.last_used_at { Some(u) => view! { <When at=u now/> }.into_any(), None => "never".into_any() }}</td>
                                                            <td>{state}</td>
                                                            <td>{usable.then(|| view! {
                                                                <ActionForm action=revoke attr:class="inline keep">
                                                                    <input type="hidden" name="id" value=id.clone()/>
                                                                    <button type="submit" class="btn small">"Revoke"</button>
                                                                </ActionForm>
                                                            })}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                            </section>
                            <section class="panel form-panel keep" aria-labelledby="token-new">
                                <h2 id="token-new">"New API token"</h2>
                                <p class="muted small">"Scripts send it as " <code>"Authorization: Bearer paas_…"</code> " to " <code>"/api"</code> "."</p>
                                <ActionForm action=create attr:class="form keep" attr:id="token-form">
                                    <div class="field">
                                        <label for="token-name">"Name " <span class="muted">"(what uses it)"</span></label>
                                        <input id="token-name" name="name" type="text" required maxlength="100" aria-describedby="token-name-error"/>
                                        <FieldError error field="name" id="token-name-error"/>
                                    </div>
                                    <div class="field-row">
                                        <div class="field">
                                            <label for="token-scope">"Scope"</label>
                                            <select id="token-scope" name="scope">
                                                {Scope::ALL.into_iter()
                                                    .filter(|sc| match sc { Scope::Read => true, Scope::Write => can_write, Scope::Admin => owner })
                                                    .map(|sc| view! { <option value=sc.as_str()>{sc.as_str()}</option> })
                                                    .collect_view()}
                                            </select>
                                            <FieldError error field="scope" id="token-scope-error"/>
                                        </div>
                                        <div class="field">
                                            <label for="token-days">"Expires in days " <span class="muted">"(empty: never)"</span></label>
                                            <input id="token-days" name="expires_days" type="number" min="1" max="3650" aria-describedby="token-days-error"/>
                                            <FieldError error field="expires_days" id="token-days-error"/>
                                        </div>
                                    </div>
                                    <FormError error fields=&["name", "scope", "expires_days"]/>
                                    <button type="submit" class="btn primary">"Create token"</button>
                                </ActionForm>
                                {s.fresh_token.clone().map(|secret| view! {
                                    <div class="notice" role="status" data-testid="new-token">
                                        <p>"Copy it now: it is shown only once."</p>
                                        <code class="mono token-secret" data-testid="token-secret">{secret}</code>
                                    </div>
                                })}
                            </section>
                        </div>
                        <section class="panel" aria-labelledby="sessions-title">
                            <h2 id="sessions-title">"Where you are signed in"</h2>
                            <ul class="plain-list">
                                {s.sessions.iter().map(|x| {
                                    let this = s.current == Some(x.id);
                                    view! {
                                        <li title=x.user_agent.clone()>
                                            <strong>{crate::domain::auth::device_label(&x.user_agent)}</strong>
                                            {this.then_some(" (this browser)")}
                                            <span class="muted">{format!(" · {} · signed in ", x.ip)}<When at=x.created_at now/>" · last seen "<When at=x.last_seen_at now/></span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <form method="post" action="/logout-everywhere" class="keep">
                                <button type="submit" class="btn">"Sign out everywhere"</button>
                            </form>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// `/admin`: users, invitations, sessions and the audit log (owners only).
#[component]
pub fn AdminPage() -> impl IntoView {
    let invite = ServerAction::<AdminInvite>::new();
    let disable = ServerAction::<AdminSetDisabled>::new();
    let sign_out = ServerAction::<AdminSignOutUser>::new();
    let reset = ServerAction::<AdminResetPassword>::new();
    let data = Resource::new(
        move || {
            (
                invite.version().get(),
                disable.version().get(),
                sign_out.version().get(),
                reset.version().get(),
            )
        },
        |_| admin_overview(),
    );
    let error = last_error(invite.value());
    let reset_error = last_error(reset.value());
    let reset_done = move || matches!(reset.value().get(), Some(Ok(())));
    view! {
        <Title text="Users"/>
        <div class="page-head">
            <div>
                <h1>"Users and audit log"</h1>
                <p class="muted">"Invite people, disable them, sign them out; see what happened; set up the model pass."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => {
                    set_http_status(&e);
                    view! { <ErrorPanel error=e/> }.into_any()
                }
                Ok(a) => {
                    let now = a.now;
                    view! {
                        <div class="split">
                            <section class="panel" aria-labelledby="users-title">
                                <h2 id="users-title">"Users"</h2>
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table class="table" data-testid="users">
                                    <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th><th>"Signed in"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                                    <tbody>
                                        {a.users.iter().map(|u| {
                                            let sessions = a.sessions.iter().filter(|s| s.user_id == u.id).count();
                                            let id = u.id.to_string();
                                            let id2 = id.clone();
                                            let disabled = u.disabled_at.is_some();
                                            view! {
                                                <tr>
                                                    <td>{u.name.clone()}</td>
                                                    <td>{u.email.clone()}</td>
                                                    <td>{u.role.label()}{disabled.then_some(" · disabled")}</td>
                                                    <td>{sessions} " sessions"</td>
                                                    <td class="nowrap">
                                                        <ActionForm action=disable attr:class="inline">
                                                            <input type="hidden" name="id" value=id.clone()/>
                                                            <input type="hidden" name="disabled" value=if disabled { "false" } else { "true" }/>
                                                            <button type="submit" class="btn small">{if disabled { "Enable" } else { "Disable" }}</button>
                                                        </ActionForm>
                                                        {(sessions > 0).then(|| view! {
                                                            <ActionForm action=sign_out attr:class="inline">
                                                                <input type="hidden" name="id" value=id2.clone()/>
                                                                <button type="submit" class="btn small">"Sign out"</button>
                                                            </ActionForm>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table></div>
                                {move || disable.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                            </section>
                            <section class="panel form-panel" aria-labelledby="invite-title">
                                <h2 id="invite-title">"Invite someone"</h2>
                                <ActionForm action=invite attr:class="form" attr:id="invite-new">
                                    <div class="field">
                                        <label for="invite-name">"Name"</label>
                                        <input id="invite-name" name="name" type="text" required aria-describedby="invite-name-error"/>
                                        <FieldError error field="name" id="invite-name-error"/>
                                    </div>
                                    <div class="field">
                                        <label for="invite-email">"E-mail"</label>
                                        <input id="invite-email" name="email" type="email" required aria-describedby="invite-email-error"/>
                                        <FieldError error field="email" id="invite-email-error"/>
                                    </div>
                                    <div class="field">
                                        <label for="invite-role">"Role"</label>
                                        <select id="invite-role" name="role">
                                            <option value="member" selected>"Member — reads and writes"</option>
                                            <option value="viewer">"Viewer — reads; no e-mails or notes"</option>
                                            <option value="owner">"Owner — everything"</option>
                                        </select>
                                    </div>
                                    <FormError error fields=&["name", "email"]/>
                                    <button type="submit" class="btn primary">"Make invitation link"</button>
                                </ActionForm>
                                {a.fresh_invite.clone().map(|l| view! {
                                    <div class="notice" role="status" data-testid="invite-link">
                                        <p>"Send this link to " {l.email.clone()} " (valid until " {l.expires_at.date()} "):"</p>
                                        <code class="mono token-secret">{l.path.clone()}</code>
                                    </div>
                                })}
                                <h2 id="reset-title" class="pad-top">"Set a new password"</h2>
                                <ActionForm action=reset attr:class="form" attr:id="reset-password">
                                    <div class="field">
                                        <label for="reset-email">"User"</label>
                                        <select id="reset-email" name="email">
                                            {a.users.iter().map(|u| view! { <option value=u.email.clone()>{format!("{} · {}", u.name, u.email)}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="reset-password-new">"New password"</label>
                                        <input id="reset-password-new" name="password" type="password" autocomplete="new-password" minlength="12" required aria-describedby="reset-password-error"/>
                                        <FieldError error=reset_error field="password" id="reset-password-error"/>
                                    </div>
                                    <FormError error=reset_error fields=&["password"]/>
                                    <button type="submit" class="btn">"Set password and sign them out"</button>
                                    {move || reset_done().then(|| view! { <p class="form-ok" role="status">"Password set; their sessions ended."</p> })}
                                </ActionForm>
                            </section>
                        </div>
                        <section class="panel" aria-labelledby="audit-title">
                            <h2 id="audit-title">"Audit log"</h2>
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log"><table class="table" data-testid="audit">
                                <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Target"</th><th>"From"</th></tr></thead>
                                <tbody>
                                    {a.audit.iter().map(|e| view! {
                                        <tr>
                                            <td class="nowrap"><When at=e.at now/></td>
                                            <td>{e.actor.clone()}</td>
                                            <td>{e.action.clone()}{(!e.detail.is_empty()).then(|| format!(" ({})", e.detail))}</td>
                                            <td>{e.target.clone()}</td>
                                            <td class="mono">{e.ip.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        </section>
                    }.into_any()
                }
            })}
        </Suspense>
        <ModelPassPanel/>
    }
}
