//! Boxes on a page.
//!
//! Coordinates are fractions of the page (0.0–1.0, origin top-left), like Textract's
//! `BoundingBox`, so a box means the same thing whether it came from a PDF text layer measured in
//! points or from OCR on a 300 dpi render.

use serde::{Deserialize, Serialize};

/// An axis-aligned box in page fractions, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct BoundingBox {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl BoundingBox {
    /// A box from its edges, clamped to the page so bad input cannot produce boxes off the page.
    pub fn from_edges(left: f32, top: f32, right: f32, bottom: f32) -> Self {
        let (l, r) = (
            left.min(right).clamp(0.0, 1.0),
            left.max(right).clamp(0.0, 1.0),
        );
        let (t, b) = (
            top.min(bottom).clamp(0.0, 1.0),
            top.max(bottom).clamp(0.0, 1.0),
        );
        Self {
            left: l,
            top: t,
            width: r - l,
            height: b - t,
        }
    }

    pub fn right(&self) -> f32 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f32 {
        self.top + self.height
    }

    pub fn center_y(&self) -> f32 {
        self.top + self.height / 2.0
    }

    pub fn center_x(&self) -> f32 {
        self.left + self.width / 2.0
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BoundingBox) -> BoundingBox {
        BoundingBox::from_edges(
            self.left.min(other.left),
            self.top.min(other.top),
            self.right().max(other.right()),
            self.bottom().max(other.bottom()),
        )
    }

    /// How much the two boxes overlap horizontally, in page fractions (0 when apart).
    pub fn x_overlap(&self, other: &BoundingBox) -> f32 {
        (self.right().min(other.right()) - self.left.max(other.left)).max(0.0)
    }

    /// How much the two boxes overlap vertically, in page fractions (0 when apart).
    pub fn y_overlap(&self, other: &BoundingBox) -> f32 {
        (self.bottom().min(other.bottom()) - self.top.max(other.top)).max(0.0)
    }

    /// The union of many boxes, `None` for none.
    pub fn enclosing<'a>(boxes: impl IntoIterator<Item = &'a BoundingBox>) -> Option<BoundingBox> {
        boxes.into_iter().fold(None, |acc, b| match acc {
            None => Some(*b),
            Some(a) => Some(a.union(b)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_clamped_and_ordered() {
        let b = BoundingBox::from_edges(0.8, 1.2, 0.2, -0.1);
        assert_eq!((b.left, b.top), (0.2, 0.0));
        assert!((b.right() - 0.8).abs() < 1e-6 && (b.bottom() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn union_and_overlap() {
        let a = BoundingBox::from_edges(0.1, 0.1, 0.3, 0.2);
        let b = BoundingBox::from_edges(0.2, 0.15, 0.5, 0.4);
        let u = a.union(&b);
        assert!((u.right() - 0.5).abs() < 1e-6 && (u.bottom() - 0.4).abs() < 1e-6);
        assert!((a.x_overlap(&b) - 0.1).abs() < 1e-6);
        assert!((a.y_overlap(&b) - 0.05).abs() < 1e-6);
    }
}
