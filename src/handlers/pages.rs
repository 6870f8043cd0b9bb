//! A document's read pages as the steps after `page_check` get them: from its one
//! `pages.json`, parsed once and shared while it is unchanged (see `services::parsed`), and
//! borrowed rather than copied when the pages asked for are one run of it (the whole document,
//! or a section of consecutive pages).

use std::ops::{Deref, Range};
use std::sync::Arc;

use super::HandlerError;
use super::workspace::Workspace;
use crate::model::PageContent;
use crate::services::StoreError;

/// Pages in page order.
#[derive(Debug, Clone)]
pub enum PageSet {
    /// A run of the shared parsed document.
    Shared {
        all: Arc<Vec<PageContent>>,
        run: Range<usize>,
    },
    /// Pages that are not one run of it (or were read page by page).
    Owned(Vec<PageContent>),
}

impl Deref for PageSet {
    type Target = [PageContent];

    fn deref(&self) -> &[PageContent] {
        match self {
            PageSet::Shared { all, run } => &all[run.clone()],
            PageSet::Owned(pages) => pages,
        }
    }
}

impl PageSet {
    /// The pages of `all` whose ids are in `ids`, in page order.
    pub fn select(all: Arc<Vec<PageContent>>, ids: &[String]) -> Self {
        let wanted: Vec<usize> = all
            .iter()
            .enumerate()
            .filter(|(_, p)| ids.contains(&p.page_id()))
            .map(|(i, _)| i)
            .collect();
        let in_order = all.windows(2).all(|w| w[0].page_number <= w[1].page_number);
        match (wanted.first(), wanted.last()) {
            (Some(&first), Some(&last)) if in_order && last - first + 1 == wanted.len() => {
                PageSet::Shared {
                    all,
                    run: first..last + 1,
                }
            }
            _ => {
                let mut pages: Vec<PageContent> = wanted.iter().map(|&i| all[i].clone()).collect();
                pages.sort_by_key(|p| p.page_number);
                PageSet::Owned(pages)
            }
        }
    }
}

/// The pages of `ids` that were read, in page order: from page_check's one object, else (a
/// document that started before it was written) page by page.
pub async fn read(ws: &Workspace<'_>, ids: &[String]) -> Result<PageSet, HandlerError> {
    match ws.get_shared::<Vec<PageContent>>(&ws.pages()).await {
        Ok(all) => return Ok(PageSet::select(all, ids)),
        Err(HandlerError::Store(StoreError::NotFound { .. })) => {}
        Err(e) => return Err(e),
    }
    let mut pages = Vec::new();
    for id in ids {
        let key = ws.page_read(id);
        if ws.exists(&key).await? {
            pages.push(ws.get_json::<PageContent>(&key).await?);
        }
    }
    pages.sort_by_key(|p| p.page_number);
    Ok(PageSet::Owned(pages))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextSource;

    fn page(n: u32) -> PageContent {
        PageContent {
            page_number: n,
            text_source: TextSource::TextLayer,
            words: vec![],
            text: format!("page {n}"),
            needs_ocr: false,
            einvoice: None,
            image: None,
        }
    }

    fn ids(v: &[u32]) -> Vec<String> {
        v.iter().map(u32::to_string).collect()
    }

    fn numbers(s: &PageSet) -> Vec<u32> {
        s.iter().map(|p| p.page_number).collect()
    }

    #[test]
    fn a_run_of_pages_is_borrowed_and_anything_else_copied_in_page_order() {
        let all = Arc::new(vec![page(1), page(2), page(3), page(4)]);
        let section = PageSet::select(all.clone(), &ids(&[3, 2]));
        assert!(matches!(&section, PageSet::Shared { run, .. } if *run == (1..3)));
        assert_eq!(numbers(&section), [2, 3]);
        let gap = PageSet::select(all.clone(), &ids(&[4, 1]));
        assert!(matches!(gap, PageSet::Owned(_)));
        assert_eq!(numbers(&gap), [1, 4]);
        assert!(PageSet::select(all.clone(), &ids(&[9])).is_empty());
        // Stored out of page order: copied and sorted, as the steps always got them.
        let shuffled = Arc::new(vec![page(2), page(1)]);
        let whole = PageSet::select(shuffled, &ids(&[1, 2]));
        assert!(matches!(whole, PageSet::Owned(_)));
        assert_eq!(numbers(&whole), [1, 2]);
    }
}
