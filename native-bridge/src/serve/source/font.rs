//! A tiny 5x7 bitmap font for the synthetic camera's burned-in counter and clock: the digits, `:`, `.`, `-`,
//! space and the letters of `UTC`. Glyphs are drawn scaled up into the luma plane of an I420 picture, so the
//! text stays readable after H.264 compression and in a thumbnail.

/// Glyph width in font pixels.
pub(super) const GLYPH_WIDTH: usize = 5;
/// Glyph height in font pixels.
pub(super) const GLYPH_HEIGHT: usize = 7;
/// Horizontal advance of one character in font pixels (the glyph plus one column of spacing).
pub(super) const ADVANCE: usize = GLYPH_WIDTH + 1;

/// The rows of a glyph, top first; bit 4 is the leftmost column.
type Glyph = [u8; GLYPH_HEIGHT];

/// The glyph of a character, or None for a character the font does not have.
pub(super) fn glyph(c: char) -> Option<&'static Glyph> {
    const DIGITS: [Glyph; 10] = [
        [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110], // 0
        [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110], // 1
        [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111], // 2
        [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110], // 3
        [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010], // 4
        [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110], // 5
        [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110], // 6
        [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000], // 7
        [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110], // 8
        [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100], // 9
    ];
    const COLON: Glyph = [0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b01100, 0b00000];
    const DOT: Glyph = [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100];
    const DASH: Glyph = [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000];
    const SPACE: Glyph = [0; GLYPH_HEIGHT];
    const U: Glyph = [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110];
    const T: Glyph = [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100];
    const C: Glyph = [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110];
    match c {
        '0'..='9' => Some(&DIGITS[usize::from(c as u8 - b'0')]),
        ':' => Some(&COLON),
        '.' => Some(&DOT),
        '-' => Some(&DASH),
        ' ' => Some(&SPACE),
        'U' => Some(&U),
        'T' => Some(&T),
        'C' => Some(&C),
        _ => None,
    }
}

/// Width in picture pixels of `text` drawn at `scale` (no trailing spacing column).
pub(super) fn text_width(text: &str, scale: usize) -> usize {
    (text.chars().count() * ADVANCE).saturating_sub(1) * scale
}

/// A luma plane to draw into: `width` x `height` pixels, rows `stride` bytes apart.
pub(super) struct Plane<'a> {
    /// The pixels, at least `stride * (height - 1) + width` bytes.
    pub(super) data: &'a mut [u8],
    /// Bytes from one row to the next.
    pub(super) stride: usize,
    /// Visible width in pixels.
    pub(super) width: usize,
    /// Visible height in pixels.
    pub(super) height: usize,
}

/// Draws `text` with its top-left corner at (`x`, `y`), each font pixel a `scale` x `scale` square of luma
/// `value`; unset font pixels are left as they are. Characters the font lacks are drawn as blanks; whatever
/// falls outside the plane is clipped.
pub(super) fn draw_text(plane: &mut Plane<'_>, x: usize, y: usize, text: &str, scale: usize, value: u8) {
    for (i, c) in text.chars().enumerate() {
        let Some(rows) = glyph(c) else { continue };
        let left = x + i * ADVANCE * scale;
        for (row, bits) in rows.iter().enumerate() {
            let top = y + row * scale;
            for col in 0..GLYPH_WIDTH {
                if bits & (1 << (GLYPH_WIDTH - 1 - col)) != 0 {
                    fill(plane, left + col * scale, top, scale, scale, value);
                }
            }
        }
    }
}

/// Fills a rectangle of the plane with `value`, clipped to the plane.
pub(super) fn fill(plane: &mut Plane<'_>, x: usize, y: usize, w: usize, h: usize, value: u8) {
    let x_end = (x + w).min(plane.width);
    let y_end = (y + h).min(plane.height);
    if x >= x_end {
        return;
    }
    for row in y..y_end {
        let start = row * plane.stride;
        plane.data[start + x..start + x_end].fill(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(g: &Glyph) -> u32 {
        g.iter().map(|r| r.count_ones()).sum()
    }

    #[test]
    fn every_character_of_the_overlay_has_a_glyph() {
        for c in "0123456789:.- UTC".chars() {
            let g = glyph(c).unwrap_or_else(|| panic!("no glyph for {c:?}"));
            assert!(g.iter().all(|r| *r < 1 << GLYPH_WIDTH), "{c:?} is wider than 5 columns");
        }
        assert!(glyph('x').is_none());
        // Distinct digits: no two glyphs alike.
        for a in 0..10u8 {
            for b in a + 1..10 {
                assert_ne!(glyph(char::from(b'0' + a)), glyph(char::from(b'0' + b)));
            }
        }
        assert!(lit(glyph('8').unwrap()) > lit(glyph('1').unwrap()));
    }

    #[test]
    fn draws_scaled_and_clips_at_the_edges() {
        let (width, height, stride) = (20, 16, 24);
        let mut data = vec![0u8; stride * height];
        let mut plane = Plane { data: &mut data, stride, width, height };
        draw_text(&mut plane, 0, 0, "1", 1, 200);
        // The top row of '1' is 0b00100: only column 2 is set.
        assert_eq!(&data[..5], &[0, 0, 200, 0, 0]);

        let mut data = vec![0u8; stride * height];
        let mut plane = Plane { data: &mut data, stride, width, height };
        draw_text(&mut plane, 0, 0, "8", 2, 255);
        // Scale 2: the top row (0b01110) covers columns 2..8 of rows 0 and 1.
        assert_eq!(&data[..10], &[0, 0, 255, 255, 255, 255, 255, 255, 0, 0]);
        assert_eq!(data[stride..stride + 10], data[..10]);
        let lit_pixels = data.iter().filter(|&&b| b == 255).count();
        assert_eq!(lit_pixels, lit(glyph('8').unwrap()) as usize * 4);

        // Far outside, partly outside, and past the stride padding: clipped, no panic, padding untouched.
        let mut data = vec![0u8; stride * height];
        let mut plane = Plane { data: &mut data, stride, width, height };
        draw_text(&mut plane, 15, 8, "88:88", 3, 255);
        draw_text(&mut plane, 500, 500, "0", 4, 255);
        assert!(data.contains(&255));
        for row in 0..height {
            assert!(data[row * stride + width..(row + 1) * stride].iter().all(|&b| b == 0));
        }
        assert_eq!(text_width("12:34", 2), (5 * 6 - 1) * 2);
        assert_eq!(text_width("", 3), 0);
    }
}
