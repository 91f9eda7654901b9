//! Form helpers: the error under a field, the error of a whole form.

use crate::error::AppError;
use leptos::prelude::*;

/// The last error of an action, if its last result was an error.
pub fn last_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The message for `field`, shown under its input (and referenced by `aria-describedby`).
#[component]
pub fn FieldError(
    error: Signal<Option<AppError>>,
    field: &'static str,
    /// The id the input points to with `aria-describedby`.
    id: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| e.message_for(field))
            .map(|message| {
                view! {
                    <p class="field-error" id=id role="alert" data-field=field>{message}</p>
                }
            })
    }
}

/// An error of the whole form: one that names no field in `fields`.
#[component]
pub fn FormError(
    error: Signal<Option<AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field().is_none_or(|f| !fields.contains(&f)))
            .map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
    }
}

/// The text to put inside a `<textarea>`. Leptos writes a textarea's children into the
/// server-rendered HTML without escaping them, so a value holding `</textarea>` could
/// close the element and inject markup. On the server `&` and `<` are escaped (the browser
/// decodes them back inside a textarea); in the browser the text is already a text node.
pub fn textarea_text(s: &str) -> String {
    if cfg!(feature = "ssr") {
        s.replace('&', "&amp;").replace('<', "&lt;")
    } else {
        s.to_owned()
    }
}
