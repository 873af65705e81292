//! A QR code as a PNG image: the code from `qrcode` (medium error correction), drawn black on
//! white at four pixels per module with the standard four-module quiet zone, encoded as an
//! 8-bit grayscale PNG by `png`.

/// Pixels per module and modules of quiet zone around the code.
const SCALE: usize = 4;
const QUIET: usize = 4;

/// The PNG of a QR code holding `text`.
pub fn qr_png(text: &str) -> Result<Vec<u8>, String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| e.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![0xffu8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            paint(&mut pixels, side, i % modules, i / modules);
        }
    }
    encode(&pixels, side)
}

/// Paints the module at (`x`, `y`) black.
fn paint(pixels: &mut [u8], side: usize, x: usize, y: usize) {
    for dy in 0..SCALE {
        let row = (y + QUIET) * SCALE + dy;
        let start = row * side + (x + QUIET) * SCALE;
        if let Some(run) = pixels.get_mut(start..start + SCALE) {
            run.fill(0);
        }
    }
}

fn encode(pixels: &[u8], side: usize) -> Result<Vec<u8>, String> {
    let side = u32::try_from(side).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(pixels).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_image_is_a_square_grayscale_png_with_a_quiet_zone() {
        let bytes = qr_png("otpauth://totp/x?secret=ABC").unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, info.height);
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        let side = info.width as usize;
        assert!(buf[..side * QUIET * SCALE].iter().all(|p| *p == 0xff));
        assert!(buf.contains(&0), "some modules are dark");
    }
}
