//! The two chart backends: [`Svg`], our own SVG writer that draws text as glyph outlines from
//! the embedded font (so an SVG looks the same wherever it is opened, fonts installed or not),
//! and [`Png`], plotters' bitmap backend with text drawn by the same layout. Both produce bytes;
//! neither touches files.
//!
//! SVG numbers are printed with at most two decimals and glyphs are defined once per chart in
//! `<defs>` (ids prefixed by the chart's id, so several charts inline in one HTML page do not
//! clash), which keeps the files small and byte-identical across runs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ab_glyph::GlyphId;
use plotters::backend::BitMapBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::font;

/// Error type of the SVG backend, which cannot fail.
#[derive(Debug)]
pub struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unreachable")
    }
}

impl std::error::Error for Never {}

/// Escapes text for SVG/XML content and attribute values.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Two decimals at most, no trailing zeros, never `-0`: stable and short.
fn num(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r == 0.0 {
        return "0".to_string();
    }
    let s = format!("{r:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn colour(c: BackendColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.rgb.0, c.rgb.1, c.rgb.2)
}

fn opacity(c: BackendColor) -> String {
    if c.alpha >= 1.0 {
        String::new()
    } else {
        format!(" opacity=\"{}\"", num(c.alpha))
    }
}

/// The fill or stroke attributes of a shape drawn filled or as an outline.
fn paint<S: BackendStyle>(style: &S, fill: bool) -> String {
    let c = style.color();
    if fill {
        format!("fill=\"{}\"", colour(c))
    } else {
        format!(
            "fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"",
            colour(c),
            style.stroke_width()
        )
    }
}

/// Width and height of `text` in whole pixels, the same for both backends so they lay out
/// the same chart.
fn text_size<S: BackendTextStyle>(text: &str, style: &S) -> (u32, u32) {
    let bold = matches!(style.style(), plotters::style::FontStyle::Bold);
    let (w, h) = font::measure(text, style.size() as f32, bold);
    (w.ceil() as u32, h.ceil() as u32)
}

/// An SVG document being drawn. `finish` returns the text.
pub struct Svg {
    size: (u32, u32),
    id: String,
    title: String,
    body: String,
    glyphs: BTreeMap<(bool, u16), Option<String>>,
}

impl Svg {
    /// `id` prefixes glyph ids (letters, digits and `-` only); `title` is the accessible name.
    pub fn new(size: (u32, u32), id: &str, title: &str) -> Svg {
        font::init();
        let id = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        Svg {
            size,
            id,
            title: title.to_string(),
            body: String::new(),
            glyphs: BTreeMap::new(),
        }
    }

    fn glyph_ref(&mut self, bold: bool, id: GlyphId) -> Option<String> {
        let key = (bold, id.0);
        let path = self
            .glyphs
            .entry(key)
            .or_insert_with(|| font::svg_path(id, bold));
        path.as_ref()
            .map(|_| format!("{}-{}{}", self.id, if bold { "b" } else { "g" }, id.0))
    }

    /// The finished document.
    pub fn finish(self) -> String {
        let (w, h) = self.size;
        let mut out = String::with_capacity(self.body.len() + 4096);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
             width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-title\">\n\
             <title id=\"{id}-title\">{title}</title>\n<defs>\n",
            id = self.id,
            title = xml_escape(&self.title)
        );
        for ((bold, gid), path) in &self.glyphs {
            if let Some(d) = path {
                let _ = writeln!(
                    out,
                    "<path id=\"{}-{}{}\" d=\"{d}\"/>",
                    self.id,
                    if *bold { "b" } else { "g" },
                    gid
                );
            }
        }
        out.push_str("</defs>\n");
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }

    fn points(path: impl IntoIterator<Item = BackendCoord>) -> String {
        let mut s = String::new();
        for (x, y) in path {
            if !s.is_empty() {
                s.push(' ');
            }
            let _ = write!(s, "{x},{y}");
        }
        s
    }
}

// Implemented for `&mut Svg` so the caller keeps the document after plotters is done with it.
impl DrawingBackend for &mut Svg {
    type ErrorType = Never;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<Never>> {
        if c.alpha > 0.0 {
            let _ = writeln!(
                self.body,
                "<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\" fill=\"{}\"{}/>",
                colour(c),
                opacity(c)
            );
        }
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            let _ = writeln!(
                self.body,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
                from.0,
                from.1,
                to.0,
                to.1,
                colour(c),
                style.stroke_width(),
                opacity(c)
            );
        }
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            let paint = paint(style, fill);
            // plotters' rectangles include both corner pixels.
            let _ = writeln!(
                self.body,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {paint}{}/>",
                a.0.min(b.0),
                a.1.min(b.1),
                (b.0 - a.0).abs() + i32::from(fill),
                (b.1 - a.1).abs() + i32::from(fill),
                opacity(c)
            );
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            let _ = writeln!(
                self.body,
                "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{} points=\"{}\"/>",
                colour(c),
                style.stroke_width(),
                opacity(c),
                Svg::points(path)
            );
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            let _ = writeln!(
                self.body,
                "<polygon fill=\"{}\"{} points=\"{}\"/>",
                colour(c),
                opacity(c),
                Svg::points(path)
            );
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        centre: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            let paint = paint(style, fill);
            let _ = writeln!(
                self.body,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{radius}\" {paint}{}/>",
                centre.0,
                centre.1,
                opacity(c)
            );
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha == 0.0 || text.trim().is_empty() {
            return Ok(());
        }
        let layout = font::layout(text, style);
        let k = font::units_to_px(layout.size, layout.bold) as f64;
        let rotation = font::degrees(&layout.transform);
        let rotate = if rotation == 0 {
            String::new()
        } else {
            format!(" rotate({rotation})")
        };
        // The text itself rides along as the group's label, so it stays searchable and
        // readable by assistive technology though drawn as outlines.
        let _ = writeln!(
            self.body,
            "<g aria-label=\"{}\" fill=\"{}\"{} transform=\"translate({},{}){rotate}\">",
            xml_escape(text),
            colour(c),
            opacity(c),
            pos.0,
            pos.1
        );
        for g in &layout.glyphs {
            if let Some(id) = self.glyph_ref(layout.bold, g.id) {
                let _ = writeln!(
                    self.body,
                    "<use xlink:href=\"#{id}\" transform=\"translate({},{}) scale({})\"/>",
                    num(g.x as f64),
                    num(g.y as f64),
                    // Scales need more digits than positions: an error of 1e-4 on a 2048-unit
                    // glyph is a fifth of a pixel.
                    format!("{:.5}", k).trim_end_matches('0')
                );
            }
        }
        self.body.push_str("</g>\n");
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Never>> {
        Ok(text_size(text, style))
    }
}

/// plotters' bitmap backend over an RGB buffer, with text drawn by our layout.
pub struct Png<'a> {
    inner: BitMapBackend<'a>,
}

impl<'a> Png<'a> {
    /// Draws into `buffer`, which must hold `width * height * 3` bytes.
    pub fn new(buffer: &'a mut [u8], size: (u32, u32)) -> Png<'a> {
        font::init();
        Png {
            inner: BitMapBackend::with_buffer(buffer, size),
        }
    }
}

type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for Png<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        p: BackendCoord,
        c: BackendColor,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_line(a, b, s)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        a: BackendCoord,
        b: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_rect(a, b, s, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_path(path, s)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.fill_polygon(path, s)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        s: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        self.inner.draw_circle(c, r, s, fill)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<BitmapError>> {
        let colour = style.color();
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let layout = font::layout(text, style);
        let (w, h) = self.inner.get_size();
        let mut pixels = Vec::new();
        font::rasterize(&layout, |x, y, cov| {
            if cov > 0.0 {
                // The pixel square [x, x+1] × [y, y+1] rotated about the anchor: its new
                // top-left corner is the minimum of the rotated corners.
                let (ax, ay) = font::rotate(&layout.transform, x as f32, y as f32);
                let (bx, by) = font::rotate(&layout.transform, x as f32 + 1.0, y as f32 + 1.0);
                let px = pos.0 + ax.min(bx) as i32;
                let py = pos.1 + ay.min(by) as i32;
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    pixels.push(((px, py), cov.min(1.0)));
                }
            }
        });
        for (p, cov) in pixels {
            let c = BackendColor {
                alpha: colour.alpha * f64::from(cov),
                rgb: colour.rgb,
            };
            self.inner.draw_pixel(p, c)?;
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<BitmapError>> {
        Ok(text_size(text, style))
    }
}

/// Encodes an RGB buffer as PNG. The encoder writes no time or software chunk, so the same
/// pixels always give the same bytes.
pub(crate) fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_numbers_are_short_and_stable() {
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-2.456), "-2.46");
    }

    #[test]
    fn xml_escape_escapes_markup_and_drops_controls() {
        assert_eq!(
            xml_escape("<a href='x'>&\"\u{1}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot; "
        );
    }
}
