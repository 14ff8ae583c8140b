//! `string_enum!`: the closed sets of words the API and the store exchange (statuses, kinds,
//! roles), each with one spelling for the wire and the database and a parser that names the
//! allowed values. A bottom-layer helper so every model module can use it without depending on
//! another model module.

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The wire and storage form.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;
            fn from_str(s: &str) -> crate::error::Result<Self> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(crate::error::Error::invalid(
                        stringify!($name),
                        format!("'{other}' is not one of: {}", [$($text),*].join(", ")),
                    )),
                }
            }
        }
    };
}
pub(crate) use string_enum;
