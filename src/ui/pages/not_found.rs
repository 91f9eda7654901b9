use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    crate::ui::components::layout::set_http_status(&crate::error::AppError::not_found("page", ""));
    view! {
        <Title text="Not found"/>
        <section class="panel empty">
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing at this address."</p>
            <a class="btn" href="/">"Back to projects"</a>
        </section>
    }
}
