//! The REST API described as OpenAPI 3.1 (`GET /api/openapi.json`), generated from the
//! request and response types and the handlers' `#[utoipa::path]`, and a reference page
//! rendered from that document (`GET /api/docs`).

use super::{account, analytics, bundle, capture, handoff, knowledge, ledger, model, project};
use super::{project_file, session, stats, ErrorBody};
use crate::domain::handoff::FactKind;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use std::fmt::Write as _;
use std::sync::OnceLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder};
use utoipa::openapi::security::{SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PAAS AI Orchestration",
        description = "Projects, sessions, the account pool, handoff briefings, knowledge and \
credit analytics. Every answer is the spec's envelope: `{\"success\": true, \"data\": …}` or \
`{\"success\": false, \"error\": \"…\", \"field\": \"…\", \"suggestion\": \"…\"}`. Ids and \
numbers in request bodies may also be sent as numeric strings (`\"7\"`), as the spec's own \
client sends them. Sign in with a bearer token (`paas token create`, or Settings → Tokens) \
or the browser's session cookie.",
    ),
    paths(
        stats::get,
        capture::files,
        capture::batch,
        analytics::analyze,
        analytics::report,
        analytics::alerts,
        ledger::record,
        ledger::of_session,
        project::list,
        project::create,
        project::get,
        project::update,
        project::delete,
        project::restore,
        account::project_switches,
        bundle::download,
        bundle::export,
        bundle::import,
        account::list,
        account::create,
        account::get,
        account::update,
        account::delete,
        account::switches,
        account::adjustments,
        account::adjust_credits,
        account::batch_create,
        account::select_best,
        account::auto_rotate,
        account::switch,
        knowledge::list,
        knowledge::create,
        knowledge::suggest,
        knowledge::get,
        knowledge::update,
        knowledge::delete,
        knowledge::outcome,
        handoff::compress,
        handoff::smart_compress,
        handoff::ai_handoff,
        model::get,
        model::save,
        model::remove,
        session::list,
        session::start,
        session::start_with_handoff,
        session::update,
        session::complete,
        session::rotate,
        session::detail,
        session::checkpoints,
        session::checkpoint,
        session::restore,
        session::turns,
        session::append_turn,
        session::import,
        project_file::list,
        project_file::add,
        project_file::remove,
        session::timeline,
        document,
        reference,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Conventions),
    tags(
        (name = "dashboard", description = "What the dashboard counts"),
        (name = "projects", description = "Projects, their files, timelines and switches"),
        (name = "sessions", description = "Work sessions: start, record, checkpoint, complete, rotate"),
        (name = "accounts", description = "The account pool: credits, selection and rotation"),
        (name = "handoff", description = "Handoff briefings from conversation logs"),
        (name = "knowledge", description = "What worked, searchable and ranked"),
        (name = "analytics", description = "Credit use, forecasts and alerts"),
        (name = "usage", description = "The ledger of model calls"),
        (name = "capture", description = "Logs captured from AI tools on another machine"),
        (name = "bundles", description = "Lossless project export and import"),
        (name = "reference", description = "This document"),
    ),
)]
pub struct ApiDoc;

/// What every operation shares: the sign-in schemes, the knowledge entry's PATCH (the
/// same as its PUT), and the error envelope for every 4xx and 5xx.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token: `Authorization: Bearer paas_…`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "paas_session",
                "The browser's session after signing in (writes must come from the app's own origin)",
            ))),
        );
        doc.security = Some(vec![
            SecurityRequirement::new("token", Vec::<String>::new()),
            SecurityRequirement::new("cookie", Vec::<String>::new()),
        ]);
        if let Some(item) = doc.paths.paths.get_mut("/api/knowledge/{id}") {
            item.patch = item.put.clone();
        }
        let error = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                            "ErrorBody",
                        ))))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                // unique and stable: the method and the path's words
                let words: Vec<&str> = path
                    .trim_start_matches("/api/")
                    .split(['/', '-', '.'])
                    .map(|w| w.trim_matches(['{', '}']))
                    .filter(|w| !w.is_empty())
                    .collect();
                op.operation_id = Some(format!("{method}_{}", words.join("_")));
                op.responses.responses.insert(
                    "4XX".into(),
                    RefOr::T(error(
                        "The request was refused: `error` says why, `field` names the field at fault",
                    )),
                );
                op.responses
                    .responses
                    .insert("5XX".into(), RefOr::T(error("The server failed")));
            }
        }
    }
}

fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

impl PartialSchema for FactKind {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(FACT_KINDS.iter().map(|k| k.as_str())))
            .description(Some("The kind of a salient fact"))
            .into()
    }
}

impl ToSchema for FactKind {}

const FACT_KINDS: [FactKind; 7] = [
    FactKind::Path,
    FactKind::Command,
    FactKind::Error,
    FactKind::Url,
    FactKind::Identifier,
    FactKind::Version,
    FactKind::Commit,
];

/// The document, built once.
pub fn doc() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(ApiDoc::openapi)
}

/// This API as an OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "reference",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn document() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| doc().to_pretty_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}

/// A readable reference of this API, rendered from the document.
#[utoipa::path(get, path = "/api/docs", tag = "reference",
    responses((status = 200, description = "The API reference", content_type = "text/html", body = String)))]
pub async fn reference() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| render(doc()));
    let mut res = Html(page.as_str()).into_response();
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
             frame-ancestors 'none'; form-action 'none'",
        ),
    );
    res
}

/// Escaped text with its `code spans` as `<code>`.
fn prose(s: &str) -> String {
    esc(s)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A schema's name or shape in a few words (`Envelope_Project`, `array of Turn`).
fn shape(schema: &RefOr<Schema>) -> String {
    match schema {
        RefOr::Ref(r) => r
            .ref_location
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
        RefOr::T(Schema::Array(a)) => match &a.items {
            utoipa::openapi::schema::ArrayItems::RefOrSchema(s) => {
                format!("array of {}", shape(s))
            }
            _ => "array".into(),
        },
        RefOr::T(Schema::Object(o)) => match &o.schema_type {
            utoipa::openapi::schema::SchemaType::Type(t) => word(t),
            _ => "value".into(),
        },
        RefOr::T(Schema::OneOf(_)) => "one of several shapes".into(),
        RefOr::T(Schema::AllOf(_)) => "object".into(),
        _ => "value".into(),
    }
}

/// A serialised enum's word (`query`, `string`).
fn word(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "value".into())
}

fn render(doc: &Document) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API reference · {title}</title>\
         <link rel=\"stylesheet\" href=\"/pkg/paas.css\"></head>\
         <body><main class=\"page api-reference\"><h1>API reference</h1>\
         <p class=\"muted\">{title} {version} · OpenAPI 3.1 document: \
         <a href=\"/api/openapi.json\">/api/openapi.json</a> · <a href=\"/\">Back to the app</a></p>\
         <p>{description}</p>",
        title = esc(&doc.info.title),
        version = esc(&doc.info.version),
        description = prose(doc.info.description.as_deref().unwrap_or_default()),
    );
    let tags: Vec<(String, String)> = doc
        .tags
        .iter()
        .flatten()
        .map(|t| (t.name.clone(), t.description.clone().unwrap_or_default()))
        .collect();
    h.push_str("<nav aria-label=\"Sections\"><ul class=\"inline-list\">");
    for (name, _) in &tags {
        let _ = write!(h, "<li><a href=\"#{0}\">{0}</a></li>", esc(name));
    }
    h.push_str("</ul></nav>");
    for (tag, description) in &tags {
        let _ = write!(
            h,
            "<section id=\"{0}\"><h2>{0}</h2><p class=\"muted\">{1}</p>",
            esc(tag),
            esc(description)
        );
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                if !op.tags.iter().flatten().any(|t| t == tag) {
                    continue;
                }
                render_operation(&mut h, method, path, op);
            }
        }
        h.push_str("</section>");
    }
    h.push_str("</main></body></html>");
    h
}

fn render_operation(h: &mut String, method: &str, path: &str, op: &Operation) {
    let _ = write!(
        h,
        "<article class=\"card\"><h3><code>{} {}</code></h3>",
        method,
        esc(path)
    );
    let text = [op.summary.as_deref(), op.description.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if !text.is_empty() {
        let _ = write!(h, "<p>{}</p>", prose(&text));
    }
    if let Some(params) = op.parameters.as_ref().filter(|p| !p.is_empty()) {
        h.push_str("<p>Parameters:</p><ul>");
        for p in params {
            let _ = write!(
                h,
                "<li><code>{}</code> ({}{}){}</li>",
                esc(&p.name),
                word(&p.parameter_in),
                p.schema
                    .as_ref()
                    .map(|s| format!(", {}", esc(&shape(s))))
                    .unwrap_or_default(),
                p.description
                    .as_deref()
                    .map(|d| format!(": {}", prose(d)))
                    .unwrap_or_default(),
            );
        }
        h.push_str("</ul>");
    }
    if let Some(body) = &op.request_body {
        for (mime, content) in &body.content {
            let _ = write!(
                h,
                "<p>Body ({}): <code>{}</code></p>",
                esc(mime),
                content
                    .schema
                    .as_ref()
                    .map(|s| esc(&shape(s)))
                    .unwrap_or_default()
            );
        }
    }
    h.push_str("<p>Answers:</p><ul>");
    for (status, response) in &op.responses.responses {
        let (description, schema) = match response {
            RefOr::T(r) => (
                r.description.clone(),
                r.content
                    .values()
                    .next()
                    .and_then(|c| c.schema.as_ref())
                    .map(shape),
            ),
            RefOr::Ref(r) => (String::new(), Some(r.ref_location.clone())),
        };
        let _ = write!(
            h,
            "<li><code>{}</code> {}{}</li>",
            esc(status),
            schema
                .map(|s| format!("<code>{}</code> ", esc(&s)))
                .unwrap_or_default(),
            prose(&description)
        );
    }
    h.push_str("</ul></article>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fact_kinds_are_documented_as_they_serialise() {
        let RefOr::T(Schema::Object(o)) = FactKind::schema() else {
            panic!("not an object schema")
        };
        let listed: Vec<String> = o
            .enum_values
            .unwrap_or_default()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect();
        for k in FACT_KINDS {
            let json = serde_json::to_value(k).unwrap();
            assert!(listed.contains(&json.as_str().unwrap().to_owned()), "{k:?}");
        }
        assert_eq!(listed.len(), 7);
    }

    #[test]
    fn the_reference_escapes_what_it_shows() {
        assert_eq!(
            esc("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
        let page = render(doc());
        assert!(page.contains("<code>POST /api/sessions</code>"), "{page}");
        assert!(!page.contains("<script"));
    }
}
