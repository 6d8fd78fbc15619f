//! The embedded font (DejaVu Sans, `assets/fonts/`, Bitstream Vera licence beside it) and the
//! text layout both chart backends share, so PNG and SVG put every glyph in the same place and
//! neither depends on the fonts of the machine that draws or views them.
//!
//! plotters' own `ab_glyph` text drawing puts the baseline half a font size below the top of
//! the text box, so centred labels sit visibly high; we lay text out ourselves (box from
//! ascent to descent, baseline at the ascent) and register the font with plotters only so its
//! own measurements agree with ours.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve, PxScale, ScaleFont};
use plotters::style::FontStyle;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{BackendTextStyle, FontTransform};

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family name charts ask plotters for.
pub(crate) const FAMILY: &str = "DejaVu Sans";

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        // The files are compiled in and checked by a unit test, so failing here is a build bug.
        let regular = FontRef::try_from_slice(REGULAR_TTF).expect("embedded DejaVuSans.ttf parses");
        let bold = FontRef::try_from_slice(BOLD_TTF).expect("embedded DejaVuSans-Bold.ttf parses");
        // plotters measures text through its registered fonts in a few places (multi-line text
        // elements); registering ours keeps those measurements from failing or disagreeing.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR_TTF);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD_TTF);
        Fonts { regular, bold }
    })
}

/// Makes sure the fonts are registered with plotters before any chart is drawn.
pub(crate) fn init() {
    fonts();
}

fn face(bold: bool) -> &'static FontRef<'static> {
    let f = fonts();
    if bold {
        &f.bold
    } else {
        &f.regular
    }
}

/// One glyph placed in text-local coordinates: `x`, `y` is its baseline origin relative to the
/// anchor point, before rotation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlacedGlyph {
    pub id: GlyphId,
    pub x: f32,
    pub y: f32,
}

/// A laid-out run of text.
pub(crate) struct Layout {
    pub bold: bool,
    pub size: f32,
    pub glyphs: Vec<PlacedGlyph>,
    pub transform: FontTransform,
}

/// Width and height (ascent to descent) of `text` at `size` pixels.
pub(crate) fn measure(text: &str, size: f32, bold: bool) -> (f32, f32) {
    let font = face(bold).as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    (width, font.ascent() - font.descent())
}

/// Lays `text` out as plotters asks: anchored by the style's horizontal and vertical position,
/// rotated by its transform about the anchor.
pub(crate) fn layout<S: BackendTextStyle>(text: &str, style: &S) -> Layout {
    let bold = matches!(style.style(), FontStyle::Bold);
    let size = style.size() as f32;
    let font = face(bold).as_scaled(PxScale::from(size));
    let (width, height) = measure(text, size, bold);
    let anchor = style.anchor();
    let dx = match anchor.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -width / 2.0,
        HPos::Right => -width,
    };
    // Centre on the capital height rather than the whole box: labels then line up with ticks.
    let ascent = font.ascent();
    let dy = match anchor.v_pos {
        VPos::Top => ascent,
        VPos::Center => 0.36 * size,
        VPos::Bottom => ascent - height,
    };
    let mut glyphs = Vec::with_capacity(text.len());
    let mut x = dx;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            x += font.kern(p, id);
        }
        glyphs.push(PlacedGlyph { id, x, y: dy });
        x += font.h_advance(id);
        prev = Some(id);
    }
    Layout {
        bold,
        size,
        glyphs,
        transform: style.transform(),
    }
}

/// Rotates a text-local point about the anchor as plotters' `FontTransform` does.
pub(crate) fn rotate(t: &FontTransform, x: f32, y: f32) -> (f32, f32) {
    match t {
        FontTransform::None => (x, y),
        FontTransform::Rotate90 => (-y, x),
        FontTransform::Rotate180 => (-x, -y),
        FontTransform::Rotate270 => (y, -x),
    }
}

/// Degrees for SVG's `rotate()`, matching [`rotate`].
pub(crate) fn degrees(t: &FontTransform) -> i32 {
    match t {
        FontTransform::None => 0,
        FontTransform::Rotate90 => 90,
        FontTransform::Rotate180 => 180,
        FontTransform::Rotate270 => 270,
    }
}

/// Calls `plot(x, y, coverage)` for every pixel the laid-out text covers, in text-local pixel
/// coordinates relative to the anchor (before rotation).
pub(crate) fn rasterize(layout: &Layout, mut plot: impl FnMut(i32, i32, f32)) {
    let font = face(layout.bold);
    let scale = PxScale::from(layout.size);
    for g in &layout.glyphs {
        // Position the glyph on the pixel grid as it lies; the rasteriser handles the fraction.
        let glyph =
            g.id.with_scale_and_position(scale, ab_glyph::point(g.x, g.y));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|x, y, c| plot(bx + x as i32, by + y as i32, c));
        }
    }
}

/// The scale from font units to pixels at `size`.
pub(crate) fn units_to_px(size: f32, bold: bool) -> f32 {
    let font = face(bold);
    let scaled = font.as_scaled(PxScale::from(size));
    scaled.h_scale_factor()
}

/// The glyph's outline as SVG path data in font units, y pointing down (SVG's way), or `None`
/// for a glyph with no ink (a space).
pub(crate) fn svg_path(id: GlyphId, bold: bool) -> Option<String> {
    use std::fmt::Write;
    let outline = face(bold).outline(id)?;
    let mut d = String::new();
    let mut last: Option<(f32, f32)> = None;
    let pt = |d: &mut String, p: ab_glyph::Point| {
        let _ = write!(d, "{} {}", p.x, -p.y);
    };
    for curve in &outline.curves {
        let (start, end) = match curve {
            OutlineCurve::Line(a, b) => (*a, *b),
            OutlineCurve::Quad(a, _, c) => (*a, *c),
            OutlineCurve::Cubic(a, _, _, d) => (*a, *d),
        };
        if last != Some((start.x, start.y)) {
            if last.is_some() {
                d.push('Z');
            }
            d.push('M');
            pt(&mut d, start);
        }
        match curve {
            OutlineCurve::Line(_, b) => {
                d.push('L');
                pt(&mut d, *b);
            }
            OutlineCurve::Quad(_, b, c) => {
                d.push('Q');
                pt(&mut d, *b);
                d.push(' ');
                pt(&mut d, *c);
            }
            OutlineCurve::Cubic(_, b, c, e) => {
                d.push('C');
                pt(&mut d, *b);
                d.push(' ');
                pt(&mut d, *c);
                d.push(' ');
                pt(&mut d, *e);
            }
        }
        last = Some((end.x, end.y));
    }
    if last.is_some() {
        d.push('Z');
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fonts_parse_and_measure() {
        let (w, h) = measure("188,471", 20.0, false);
        assert!(w > 50.0 && w < 100.0, "{w}");
        // ab_glyph scales so that ascent minus descent is the pixel size.
        assert!((h - 20.0).abs() < 0.01, "{h}");
        let (wb, _) = measure("188,471", 20.0, true);
        assert!(wb > w, "bold is wider");
        assert!(svg_path(face(false).glyph_id('A'), false).is_some());
        assert!(svg_path(face(false).glyph_id(' '), false).is_none());
    }
}
