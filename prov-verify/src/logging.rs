//! Log lines on stderr (text or JSON), built on first use.
//!
//! tracing-subscriber's formatter keeps its spans in a registry that allocates 32 KB when it
//! is made, more than any other allocation of a verification, and most runs write no log line
//! at all (the default level is `warn`). So the process's subscriber is [`Lazy`]: it answers
//! which levels are enabled itself and builds the formatter, with the same settings as
//! before, on the first event or span it is given, then hands it everything.

use crate::cli::{GlobalArgs, LogFormat};
use std::io::IsTerminal;
use std::sync::OnceLock;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{span, Event, Metadata, Subscriber};
use tracing_log::AsLog as _;

type Inner = Box<dyn Subscriber + Send + Sync>;

/// The subscriber: a level filter, and the formatter once something is to be written.
struct Lazy {
    max: LevelFilter,
    format: LogFormat,
    inner: OnceLock<Inner>,
}

impl Lazy {
    fn inner(&self) -> &Inner {
        self.inner.get_or_init(|| {
            let builder = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_max_level(self.max)
                .with_target(false)
                .with_ansi(std::io::stderr().is_terminal());
            match self.format {
                LogFormat::Text => Box::new(builder.without_time().finish()),
                LogFormat::Json => Box::new(builder.json().finish()),
            }
        })
    }
}

impl Subscriber for Lazy {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.max
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.max)
    }

    fn new_span(&self, attributes: &span::Attributes<'_>) -> span::Id {
        self.inner().new_span(attributes)
    }

    fn record(&self, span: &span::Id, values: &span::Record<'_>) {
        if let Some(inner) = self.inner.get() {
            inner.record(span, values);
        }
    }

    fn record_follows_from(&self, span: &span::Id, follows: &span::Id) {
        if let Some(inner) = self.inner.get() {
            inner.record_follows_from(span, follows);
        }
    }

    fn event(&self, event: &Event<'_>) {
        self.inner().event(event);
    }

    fn enter(&self, span: &span::Id) {
        if let Some(inner) = self.inner.get() {
            inner.enter(span);
        }
    }

    fn exit(&self, span: &span::Id) {
        if let Some(inner) = self.inner.get() {
            inner.exit(span);
        }
    }

    fn clone_span(&self, id: &span::Id) -> span::Id {
        match self.inner.get() {
            Some(inner) => inner.clone_span(id),
            None => id.clone(),
        }
    }

    fn try_close(&self, id: span::Id) -> bool {
        match self.inner.get() {
            Some(inner) => inner.try_close(id),
            None => false,
        }
    }

    fn current_span(&self) -> tracing_core::span::Current {
        match self.inner.get() {
            Some(inner) => inner.current_span(),
            None => tracing_core::span::Current::none(),
        }
    }
}

/// Installs the process's subscriber: `warn` and above, `-v` info, `-vv` debug, `-vvv` trace;
/// records of the `log` crate (written by some dependencies) are forwarded to it.
pub fn init(g: &GlobalArgs) {
    let max = match g.verbose {
        0 => LevelFilter::WARN,
        1 => LevelFilter::INFO,
        2 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let lazy = Lazy {
        max,
        format: g.log_format,
        inner: OnceLock::new(),
    };
    // A second initialisation cannot happen here; ignore the error rather than abort.
    if tracing::subscriber::set_global_default(lazy).is_ok() {
        // At the same level: `log` calls below it stop at the `log` crate's own check.
        let _ = tracing_log::LogTracer::builder()
            .with_max_level(max.as_log())
            .init();
    }
}
