//! Closed vocabularies stored as text: a record's status or kind is one of a few fixed words.
//!
//! The database keeps the word (readable in a dump, stable across versions); every layer above
//! the store holds the enum, so a typo is a compile error and a word the code does not know is
//! reported as corrupt data when the row is read instead of silently matching nothing.

use std::fmt;

/// A closed set of words. `vocabulary!` implements it with `Display`, `FromStr` and serde as the
/// stored word.
pub trait Vocabulary: Copy + Eq + fmt::Debug + Sized + 'static {
    /// Every member, in the order the rules list them.
    const ALL: &'static [Self];
    /// Every member's stored word, in the same order (for API schemas and input checks).
    const WORDS: &'static [&'static str];
    /// What the column is called in messages ("status", "kind").
    const NAME: &'static str;

    /// The stored word.
    fn as_str(self) -> &'static str;

    /// The member a stored word names, if any.
    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.as_str() == word)
    }
}

/// Defines a closed vocabulary: `vocabulary! { /// doc  pub enum X("status") { A = "a", … } }`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident($column:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::vocabulary::Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const WORDS: &'static [&'static str] = &[$($word),+];
            const NAME: &'static str = $column;

            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl $name {
            /// Every member's stored word.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The stored word (also what `Display` writes).
            pub fn as_str(self) -> &'static str {
                <Self as $crate::vocabulary::Vocabulary>::as_str(self)
            }

            /// The member a word names, if any (input checks; stored rows use the store's
            /// `Row::word`, which reports an unknown word as corrupt data).
            pub fn parse(word: &str) -> Option<Self> {
                <Self as $crate::vocabulary::Vocabulary>::parse(word)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::DomainError;

            /// A word outside the vocabulary is refused with `unknown_word` on the column's
            /// field, naming the words allowed.
            fn from_str(word: &str) -> Result<Self, Self::Err> {
                <Self as $crate::vocabulary::Vocabulary>::parse(word)
                    .ok_or_else(|| $crate::vocabulary::unknown::<Self>(word))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                <Self as $crate::vocabulary::Vocabulary>::parse(&word).ok_or_else(|| {
                    ::serde::de::Error::unknown_variant(
                        &word,
                        <Self as $crate::vocabulary::Vocabulary>::WORDS,
                    )
                })
            }
        }
    };
}

/// The refusal for a word outside a vocabulary.
pub fn unknown<V: Vocabulary>(word: &str) -> crate::DomainError {
    crate::DomainError::field("unknown_word", V::NAME)
        .arg("value", word)
        .arg("allowed", V::WORDS.join(", "))
}
