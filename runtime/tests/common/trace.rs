//! Everything `tracing` is told during a test, as text: every span with
//! its fields (also those recorded later), every event with its fields.
//! Tests search it for what must and must not be there.
//!
//! One global subscriber for the whole test binary, its lines tagged with
//! the thread they came from: a `#[tokio::test]` runs on one thread, and a
//! per-test (scoped) subscriber is not reliable while other tests run in
//! parallel, since tracing caches per call site whether anyone listens.

use std::fmt::{self, Write as _};
use std::sync::{Mutex, OnceLock};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;

/// Every line written so far in this binary, with its thread.
static LINES: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

/// The lines of one test's thread.
pub struct Captured {
    thread: ThreadId,
}

impl Captured {
    /// Starts capturing (once per binary) and returns this thread's view.
    pub fn install() -> Captured {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            let subscriber = tracing_subscriber::registry().with(CaptureLayer);
            tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in tests");
        });
        Captured { thread: std::thread::current().id() }
    }

    pub fn lines(&self) -> Vec<String> {
        let lines = LINES.lock().unwrap();
        lines.iter().filter(|(thread, _)| *thread == self.thread).map(|(_, line)| line.clone()).collect()
    }

    /// Span lines named `name`, fields included.
    pub fn spans(&self, name: &str) -> Vec<String> {
        let prefix = format!("span {name}:");
        self.lines().into_iter().filter(|line| line.starts_with(&prefix)).collect()
    }
}

struct CaptureLayer;

/// Which line of `LINES` a span writes to.
struct LineIndex(usize);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
}

fn push(line: String) -> usize {
    let mut lines = LINES.lock().unwrap();
    lines.push((std::thread::current().id(), line));
    lines.len() - 1
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CaptureLayer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut line = format!("span {}:", attrs.metadata().name());
        attrs.record(&mut Fields(&mut line));
        let index = push(line);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(LineIndex(index));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(index) = span.extensions().get::<LineIndex>().map(|i| i.0) else { return };
        let mut lines = LINES.lock().unwrap();
        values.record(&mut Fields(&mut lines[index].1));
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = format!("event {}:", event.metadata().target());
        event.record(&mut Fields(&mut line));
        push(line);
    }
}
