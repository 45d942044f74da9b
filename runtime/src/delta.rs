//! Delta queries: the changes since the last sync, and the link the next
//! sync starts from.

use std::collections::VecDeque;

use futures::{Stream, StreamExt};
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::model::Page;
use crate::path::RequestPath;
use crate::request::{Request, ResponseKind};

/// One element of a delta query's stream ([`Request::delta`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Delta<T> {
    /// A changed item; a deleted one carries `@removed` in its additional
    /// properties.
    Item(T),
    /// The `@odata.deltaLink` of the last page, always the stream's last
    /// element: keep it, and start the next sync from it with
    /// [`Request::from_delta_link`].
    Link(String),
}

impl<T: DeserializeOwned + Send + 'static> Request<Page<T>> {
    /// Every item of a delta query (`…/delta`), following
    /// `@odata.nextLink`, then the `@odata.deltaLink` of the last page as
    /// [`Delta::Link`].
    ///
    /// A last page without a delta link ends the stream with
    /// [`Error::UnexpectedResponse`]: without it the next sync would have to
    /// start over, which the caller should know. Like
    /// [`items`](Request::items), the stream ends after the first error.
    pub fn delta(self) -> impl Stream<Item = Result<Delta<T>, Error>> + Send + Unpin {
        let state = (self.pages(), VecDeque::<Result<Delta<T>, Error>>::new());
        futures::stream::unfold(state, |(mut pages, mut buffer)| async move {
            loop {
                if let Some(next) = buffer.pop_front() {
                    return Some((next, (pages, buffer)));
                }
                // `pages` ends after an error or after the last page.
                let page = match pages.next().await? {
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), (pages, buffer))),
                };
                buffer.extend(page.value.into_iter().map(|item| Ok(Delta::Item(item))));
                match (page.next_link, page.delta_link) {
                    (Some(_), _) => {}
                    (None, Some(link)) => buffer.push_back(Ok(Delta::Link(link))),
                    (None, None) => buffer.push_back(Err(Error::UnexpectedResponse(
                        "the last page of the delta query has no @odata.deltaLink to resume from".to_owned(),
                    ))),
                }
            }
        })
        .boxed()
    }

    /// A GET of a delta link kept from an earlier sync: send it with
    /// [`delta`](Request::delta) for the changes since then.
    ///
    /// The link must be on the client's base URL origin (it carries the
    /// client's token); any other is refused when sent, with
    /// [`Error::InvalidRequest`] and nothing on the wire. Query options
    /// added to it are appended, though Graph wants delta links used as
    /// they are.
    pub fn from_delta_link(client: &Client, link: &str) -> Self {
        let mut request = Request::new(client, Method::GET, RequestPath::root(), ResponseKind::Json);
        request.link = Some(link.to_owned());
        request
    }
}
