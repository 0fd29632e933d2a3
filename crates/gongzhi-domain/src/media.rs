//! Uploaded files: what they really are (by their bytes, not by what the client claims), and
//! photos with their location data removed before they are stored. Phones write GPS positions into
//! JPEG EXIF (APP1) and XMP segments and PNG eXIf/text chunks; a photo of a broken stairwell must
//! not publish where its taker lives.

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Pdf,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Pdf => "application/pdf",
        }
    }

    /// Recognises a file by its first bytes.
    pub fn sniff(bytes: &[u8]) -> Result<MediaType, DomainError> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Ok(MediaType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Ok(MediaType::Png)
        } else if bytes.starts_with(b"%PDF-") {
            Ok(MediaType::Pdf)
        } else {
            Err(DomainError::field("upload_type_unsupported", "file"))
        }
    }
}

/// Removes location-bearing metadata: JPEG APP1 (EXIF, XMP) and APP13 (IPTC) segments; PNG eXIf,
/// tEXt, zTXt and iTXt chunks. PDFs are kept as they are (they are invoices and receipts, whose
/// metadata is part of the document). A file whose structure is broken is refused.
pub fn strip_location(kind: MediaType, bytes: &[u8]) -> Result<Vec<u8>, DomainError> {
    let broken = || DomainError::field("upload_corrupt", "file");
    match kind {
        MediaType::Pdf => Ok(bytes.to_vec()),
        MediaType::Jpeg => {
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&bytes[..2]);
            let mut i = 2;
            loop {
                if i + 4 > bytes.len() || bytes[i] != 0xFF {
                    return Err(broken());
                }
                let marker = bytes[i + 1];
                // Start of scan: the rest is image data up to the end marker.
                if marker == 0xDA {
                    out.extend_from_slice(&bytes[i..]);
                    return Ok(out);
                }
                let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
                if len < 2 || i + 2 + len > bytes.len() {
                    return Err(broken());
                }
                let segment = &bytes[i..i + 2 + len];
                if marker != 0xE1 && marker != 0xED {
                    out.extend_from_slice(segment);
                }
                i += 2 + len;
            }
        }
        MediaType::Png => {
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&bytes[..8]);
            let mut i = 8;
            while i < bytes.len() {
                if i + 12 > bytes.len() {
                    return Err(broken());
                }
                let len = usize::try_from(u32::from_be_bytes([
                    bytes[i],
                    bytes[i + 1],
                    bytes[i + 2],
                    bytes[i + 3],
                ]))
                .map_err(|_| broken())?;
                let end = i
                    .checked_add(12)
                    .and_then(|e| e.checked_add(len))
                    .ok_or_else(broken)?;
                if end > bytes.len() {
                    return Err(broken());
                }
                let kind = &bytes[i + 4..i + 8];
                if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt") {
                    out.extend_from_slice(&bytes[i..end]);
                }
                i = end;
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_exif() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        // APP0 JFIF
        j.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0]);
        // APP1 Exif with a fake GPS payload
        let exif = b"Exif\0\0GPS30.6586N104.0648E";
        j.extend_from_slice(&[0xFF, 0xE1]);
        j.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        j.extend_from_slice(exif);
        // SOS and data, then EOI
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 1, 2, 0xAB, 0xCD, 0xFF, 0xD9]);
        j
    }

    #[test]
    fn jpeg_exif_is_removed_and_the_image_kept() {
        let j = jpeg_with_exif();
        assert_eq!(MediaType::sniff(&j).unwrap(), MediaType::Jpeg);
        let s = strip_location(MediaType::Jpeg, &j).unwrap();
        let text = String::from_utf8_lossy(&s);
        assert!(!text.contains("GPS") && !text.contains("Exif"));
        assert!(text.contains("JFIF"));
        assert!(s.ends_with(&[0xAB, 0xCD, 0xFF, 0xD9]));
        assert_eq!(
            strip_location(MediaType::Jpeg, &s).unwrap(),
            s,
            "stripping is idempotent"
        );
    }

    #[test]
    fn png_text_chunks_are_removed() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"eXIf", b"GPS here"));
        p.extend(chunk(b"tEXt", b"Location\0Chengdu"));
        p.extend(chunk(b"IDAT", &[1, 2, 3]));
        p.extend(chunk(b"IEND", &[]));
        let s = strip_location(MediaType::Png, &p).unwrap();
        let text = String::from_utf8_lossy(&s);
        assert!(!text.contains("GPS") && !text.contains("Chengdu"));
        assert!(text.contains("IHDR") && text.contains("IDAT") && text.contains("IEND"));
    }

    #[test]
    fn unknown_and_broken_files_are_refused() {
        assert_eq!(
            MediaType::sniff(b"GIF89a").unwrap_err().code.0,
            "upload_type_unsupported"
        );
        assert_eq!(
            strip_location(MediaType::Jpeg, &[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF])
                .unwrap_err()
                .code
                .0,
            "upload_corrupt"
        );
        assert_eq!(
            strip_location(MediaType::Png, b"\x89PNG\r\n\x1a\n\0\0")
                .unwrap_err()
                .code
                .0,
            "upload_corrupt"
        );
    }
}
