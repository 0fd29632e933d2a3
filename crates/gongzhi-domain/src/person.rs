use sha2::{Digest, Sha256};

use crate::DomainError;

/// A person's name as entered, trimmed, with inner whitespace collapsed. 1–40 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// A name as people see it: invisible and bidirectional control characters dropped, then
    /// NFKC (full-width Ｌｉ is Li), so that two spellings that look the same are the same name
    /// when duplicates are spotted.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        use unicode_normalization::UnicodeNormalization;
        let visible: String = clean_text(text).nfkc().collect();
        let name = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 {
            return Err(DomainError::field("name_required", "name"));
        }
        if chars > 40
            || name
                .chars()
                .any(|c| c.is_control() || "<>{}[]|\\/@#$%^*=".contains(c))
        {
            return Err(DomainError::field("name_invalid", "name").arg("value", text));
        }
        Ok(PersonName(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Masks a private person's name for public pages: 田小余 → 田*余, 田余 → 田*, Li Wei → L*i.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}*{}", chars[0], chars[n - 1]),
    }
}

/// How a resident agreed that a staff member acts for them (代办): in person, by signing, on the
/// phone, or through a guardian. The method goes into the audit trail with every act.
pub const CONSENT_METHODS: [&str; 4] = ["in_person", "signed", "phone", "guardian"];

/// What replaces a phone or ID number in residents' words on public pages.
pub const REDACTED: &str = "***";

/// The digit a character stands for in a written number: ASCII and full-width digits and every
/// other form NFKC folds to a digit (①, 𝟙, Arabic-Indic…), and the Chinese numerals people type
/// phone numbers with (一三八〇〇…, 幺 for 1, the capital forms 壹贰叁).
fn digit_of(c: char) -> Option<u32> {
    use unicode_normalization::UnicodeNormalization;
    if let Some(d) = c.to_digit(10) {
        return Some(d);
    }
    let chinese = match c {
        '〇' | '零' | '○' | 'Ｏ' => Some(0),
        '一' | '幺' | '壹' => Some(1),
        '二' | '两' | '贰' | '貳' => Some(2),
        '三' | '叁' | '參' => Some(3),
        '四' | '肆' => Some(4),
        '五' | '伍' => Some(5),
        '六' | '陆' | '陸' => Some(6),
        '七' | '柒' => Some(7),
        '八' | '捌' => Some(8),
        '九' | '玖' => Some(9),
        _ => None,
    };
    if chinese.is_some() || c.is_ascii() || !c.is_numeric() {
        // Most characters of a text (Hanzi, punctuation, letters) end here, without NFKC.
        return chinese;
    }
    let mut folded = std::iter::once(c).nfkc();
    match (folded.next(), folded.next()) {
        (Some(d), None) => d.to_digit(10),
        _ => c.to_digit(10).or_else(|| {
            // Decimal digits of other scripts (NFKC keeps them): their value from the block.
            c.is_numeric().then(|| unicode_decimal(c)).flatten()
        }),
    }
}

/// The value of a decimal digit of a script whose ten digits are consecutive code points ending
/// in a multiple of 16 plus 9 (Arabic-Indic, Devanagari, Thai…).
fn unicode_decimal(c: char) -> Option<u32> {
    let v = c as u32;
    const ZEROS: [u32; 8] = [0x660, 0x6F0, 0x966, 0x9E6, 0xE50, 0xED0, 0x1040, 0x17E0];
    ZEROS
        .iter()
        .find(|z| (**z..**z + 10).contains(&v))
        .map(|z| v - z)
}

/// What may stand between two digits of one written number: spaces of every width, hyphens and
/// dashes, dots, slashes, and invisible format characters (zero-width spaces and joiners, the
/// soft hyphen, the byte-order mark) that would otherwise split a number in two unseen.
fn joins_digits(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}'
            | '\u{2007}'
            | '\u{202f}'
            | '\u{3000}'
            | '\t'
            | '-'
            | '‐'
            | '‑'
            | '‒'
            | '–'
            | '—'
            | '－'
            | '﹣'
            | '_'
            | '＿'
            | '.'
            | '．'
            | '。'
            | '·'
            | '・'
            | '/'
            | '／'
            | '\\'
            | ','
            | '，'
            | '('
            | ')'
            | '（'
            | '）'
            | '+'
            | '＋'
    ) || is_format_char(c)
}

/// Text as typed, without the characters nobody sees: format characters ([`is_format_char`]:
/// zero-width spaces, bidirectional overrides that make text read backwards…) and control
/// characters other than line breaks and tabs. They hide words from duplicate spotting and from
/// redaction, and reorder what a public page shows.
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !is_format_char(*c) && (!c.is_control() || matches!(c, '\n' | '\r' | '\t')))
        .collect()
}

/// Unicode format characters (category Cf) that are common in pasted text or used to hide
/// content: zero-width space/joiners, word joiner, soft hyphen, byte-order mark, bidirectional
/// marks and embeddings/isolates.
pub fn is_format_char(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// Residents' free text as public pages show it: every written number of seven or more digits
/// is replaced by [`REDACTED`]. A digit is any form of one ([`digit_of`]: full-width １３９,
/// Chinese 一三九, circled ①…), and a number runs on across spaces of any width, hyphens, dots,
/// slashes and invisible characters between its digits (138 0000 1234, 028-8555-1234,
/// 138.0000.1234, 1\u{200b}3\u{200b}8…), ending in an ID number's X after 17 digits. That covers
/// mobiles, landlines with area codes and ID numbers however they are typed; a long amount in a
/// comment is hidden too, which costs less than a leaked number.
pub fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit_of(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, with joiners between digits, an X right after the 17th digit.
        let (start, mut end, mut digits) = (i, i, 0);
        while end < chars.len() {
            let c = chars[end];
            if digit_of(c).is_some() {
                digits += 1;
                end += 1;
                continue;
            }
            if matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ') && digits == 17 {
                end += 1;
                break;
            }
            // Joiners count only when a digit follows them.
            let mut next = end;
            while next < chars.len() && joins_digits(chars[next]) && next - end < 3 {
                next += 1;
            }
            if next > end && chars.get(next).is_some_and(|c| digit_of(*c).is_some()) {
                end = next;
            } else {
                break;
            }
        }
        if digits >= 7 {
            out.push_str(REDACTED);
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// A phone number normalised to digits: an 11-digit mainland mobile (1xxxxxxxxxx, an optional
/// +86/86 prefix dropped) or a landline with area code (028-12345678 → 02812345678). Families share
/// phones, so a phone is never a unique key for a resident.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '+'))
            .collect();
        let bad = || DomainError::field("phone_invalid", "phone").arg("value", text);
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let digits = match digits.strip_prefix("86") {
            Some(rest) if rest.len() == 11 && rest.starts_with('1') => rest.to_string(),
            _ => digits,
        };
        let mobile = digits.len() == 11 && digits.starts_with('1');
        let landline = (10..=12).contains(&digits.len()) && digits.starts_with('0');
        if mobile || landline {
            Ok(Phone(digits))
        } else {
            Err(bad())
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A resident identity card number (18 characters, GB 11643 check digit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let id = text.trim().to_ascii_uppercase();
        let bad = || DomainError::field("id_number_invalid", "id_number");
        let bytes = id.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let expected = CHECK[usize::try_from(sum % 11).unwrap_or(0)];
        if bytes[17] != expected {
            return Err(bad());
        }
        Ok(IdNumber(id))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The salted hash that stands in for a personal field in audit events: `h:` + 16 bytes of
/// SHA-256(salt ‖ 0x00 ‖ value) in hex. The salt is per tenant and never leaves the database in an
/// auditor's export, so the public record verifies without revealing the value, and erasing the
/// value (or the salt) leaves nothing to reverse.
pub fn personal_hash(salt: &[u8], value: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update([0u8]);
    h.update(value.as_bytes());
    format!("h:{}", hex::encode(&h.finalize()[..16]))
}

/// Key on which possible duplicate residents are spotted in one community: the same name and the
/// same phone, or the same ID number. Two people with the same name in one family share a phone
/// but differ in birth date, so staff confirm before merging; nothing is merged automatically.
pub fn duplicate_key(name: &PersonName, phone: Option<&Phone>) -> Option<String> {
    phone.map(|p| format!("{}|{}", name.as_str().to_lowercase(), p.as_str()))
}

/// Password policy: at least `min_chars` characters, not all the same character, not only digits
/// shorter than 12 (phone-number passwords are the first guess).
pub fn check_password(password: &str, min_chars: usize) -> Result<(), DomainError> {
    let n = password.chars().count();
    if n < min_chars {
        return Err(DomainError::field("password_too_short", "password").arg("min", min_chars));
    }
    if n > 256 {
        return Err(DomainError::field("password_too_long", "password"));
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first)
        || (password.chars().all(|c| c.is_ascii_digit()) && n < 12)
    {
        return Err(DomainError::field("password_too_weak", "password"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_phone_and_id_numbers_in_free_text() {
        assert_eq!(
            redact_numbers("请联系13800001234或 138 0000 1234，座机028-8555-1234"),
            "请联系***或 ***，座机***"
        );
        assert_eq!(redact_numbers("身份证11010519491231002X。"), "身份证***。");
        // Dates, short amounts and counts stay.
        assert_eq!(
            redact_numbers("2026年11月22日修好，花了1500元，共 3-4 户"),
            "2026年11月22日修好，花了1500元，共 3-4 户"
        );
        assert_eq!(redact_numbers("Room 12 - 3"), "Room 12 - 3");
    }

    #[test]
    fn redacts_numbers_written_in_every_form_people_use() {
        for (written, kept) in [
            ("电话１３９００００１２３４", "电话***"),
            ("电话一三九零零零零一二三四", "电话***"),
            ("电话幺三九〇〇〇〇壹贰叁肆", "电话***"),
            ("call 139\u{a0}0000\u{a0}1234 now", "call *** now"),
            ("1\u{200b}3\u{200b}9\u{200b}0000\u{200d}1234", "***"),
            ("139.0000.1234", "***"),
            ("139/0000/1234", "***"),
            ("139－0000－1234", "***"),
            ("①③⑨0000①②③④", "***"),
            (
                "身份证１１０１０５１９４９１２３１００２Ｘ。",
                "身份证***。",
            ),
            ("\u{202e}4321000093１", "\u{202e}***"),
            // Short numbers and ordinary Chinese stay as they were.
            ("第一二三条，三四户", "第一二三条，三四户"),
            ("共五十六户", "共五十六户"),
        ] {
            assert_eq!(redact_numbers(written), kept, "{written:?}");
        }
    }

    /// Digits of a number as an attacker or a hurried resident might type them.
    fn written_digit(d: u32, form: u8) -> String {
        const CHINESE: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        const CAPITAL: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
        match form % 5 {
            0 => char::from_digit(d, 10).unwrap().to_string(),
            1 => char::from_u32(0xFF10 + d).unwrap().to_string(),
            2 => CHINESE[d as usize].to_string(),
            3 => CAPITAL[d as usize].to_string(),
            _ => char::from_u32(0x1D7CE + d).unwrap().to_string(), // 𝟎 mathematical bold
        }
    }

    proptest::proptest! {
        #[test]
        fn no_phone_number_survives_redaction_however_it_is_written(
            digits in proptest::collection::vec(0u32..10, 10),
            forms in proptest::collection::vec(0u8..5, 11),
            gaps in proptest::collection::vec(0usize..12, 11),
            before in "[a-z一-龥，。 ]{0,6}",
            after in "[a-z一-龥，。 ]{0,6}",
        ) {
            const GAPS: [&str; 12] = [
                "", "", "", " ", "\u{a0}", "\u{200b}", "\u{feff}", ".", "/", "-", "\u{3000}", "\u{2060}",
            ];
            let phone: Vec<u32> = std::iter::once(1).chain(digits).collect();
            let mut written = before.clone();
            for (i, d) in phone.iter().enumerate() {
                written.push_str(&written_digit(*d, forms[i]));
                if i + 1 < phone.len() {
                    written.push_str(GAPS[gaps[i]]);
                }
            }
            written.push_str(&after);
            let shown = redact_numbers(&written);
            // What is shown holds no run of seven digits in any form.
            let longest = shown
                .chars()
                .fold((0, 0), |(run, best), c| {
                    let run = if digit_of(c).is_some() { run + 1 } else if joins_digits(c) { run } else { 0 };
                    (run, best.max(run))
                })
                .1;
            proptest::prop_assert!(longest < 7, "{written:?} → {shown:?}");
            proptest::prop_assert!(shown.contains(REDACTED));
        }
    }

    #[test]
    fn names_drop_invisible_characters_and_compare_as_people_see_them() {
        let plain = PersonName::parse("田小余").unwrap();
        for disguised in ["田\u{200b}小余", "\u{202e}田小余\u{202c}", "田小余\u{feff}"] {
            assert_eq!(
                PersonName::parse(disguised).unwrap(),
                plain,
                "{disguised:?}"
            );
        }
        assert_eq!(PersonName::parse("Ｌｉ Ｗｅｉ").unwrap().as_str(), "Li Wei");
        let phone = Phone::parse("13800000001").unwrap();
        assert_eq!(
            duplicate_key(&PersonName::parse("田\u{200d}小余").unwrap(), Some(&phone)),
            duplicate_key(&plain, Some(&phone))
        );
        assert_eq!(
            clean_text("公示\u{202e}期满\u{0007}\n第二行"),
            "公示期满\n第二行"
        );
    }

    #[test]
    fn masks_private_names() {
        assert_eq!(mask_name("田小余"), "田*余");
        assert_eq!(mask_name("田余"), "田*");
        assert_eq!(mask_name("欧阳娜娜"), "欧*娜");
        assert_eq!(mask_name("张"), "*");
    }

    #[test]
    fn phones_normalise_and_reject() {
        assert_eq!(
            Phone::parse("+86 138-0000-1234").unwrap().as_str(),
            "13800001234"
        );
        assert_eq!(
            Phone::parse("028-85551234").unwrap().as_str(),
            "02885551234"
        );
        for bad in ["1380000123", "23800001234", "phone", "138000012345"] {
            assert_eq!(
                Phone::parse(bad).unwrap_err().code.0,
                "phone_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn id_numbers_check_their_digit() {
        // The GB 11643 example number.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("1101051949123100").is_err());
    }

    #[test]
    fn names_and_passwords() {
        assert_eq!(
            PersonName::parse("  田  小余 ").unwrap().as_str(),
            "田 小余"
        );
        assert_eq!(PersonName::parse(" ").unwrap_err().code.0, "name_required");
        assert_eq!(
            PersonName::parse("<script>").unwrap_err().code.0,
            "name_invalid"
        );
        assert_eq!(
            check_password("short", 8).unwrap_err().code.0,
            "password_too_short"
        );
        assert_eq!(
            check_password("aaaaaaaaaa", 8).unwrap_err().code.0,
            "password_too_weak"
        );
        assert_eq!(
            check_password("13800001234", 8).unwrap_err().code.0,
            "password_too_weak"
        );
        assert!(check_password("beiyuan-2026", 8).is_ok());
    }

    #[test]
    fn personal_hash_depends_on_salt_and_value() {
        let a = personal_hash(b"salt", "13800001234");
        assert_eq!(a.len(), 2 + 32);
        assert_ne!(a, personal_hash(b"salt2", "13800001234"));
        assert_ne!(a, personal_hash(b"salt", "13800001235"));
        assert_eq!(a, personal_hash(b"salt", "13800001234"));
    }
}
