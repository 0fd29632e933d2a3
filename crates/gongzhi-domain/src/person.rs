use sha2::{Digest, Sha256};

use crate::DomainError;

/// A person's name as entered, trimmed, with inner whitespace collapsed. 1–40 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
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

/// Residents' free text as public pages show it: every run of seven or more digits — written
/// with spaces or hyphens inside (138 0000 1234, 028-8555-1234) or ending in an ID number's X —
/// is replaced by [`REDACTED`]. That covers mobiles, landlines with area codes and ID numbers;
/// a long amount in a comment is hidden too, which costs less than a leaked number.
pub fn redact_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, single spaces or hyphens between digits, an X right after a digit.
        let (start, mut end, mut digits) = (i, i, 0);
        while end < chars.len() {
            let c = chars[end];
            if c.is_ascii_digit() {
                digits += 1;
                end += 1;
            } else if matches!(c, ' ' | '-') && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                end += 1;
            } else if matches!(c, 'X' | 'x') && digits == 17 {
                end += 1;
                break;
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
