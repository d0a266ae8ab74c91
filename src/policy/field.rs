//! One field of an inventory resource as a script value, read through the resource's own
//! `Serialize` (so a field reads exactly as the snapshot writes it: same names, an absent
//! optional field is `()`), without converting the rest of the resource.
//!
//! The policy view used to convert a whole resource into a Rhai map the first time a script
//! read it; over 105,000 resources that was most of the pack's time and 700 MB of maps that
//! scripts then cloned field by field anyway. Reading the one field asked for costs what
//! cloning it out of such a map cost.

use rhai::Dynamic;
use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct};

/// Field `name` of `resource` (a struct): `Some(())` for a field without a value (an absent
/// option, an empty list the snapshot leaves out), `None` when the struct has no such field.
pub fn pick<T: Serialize>(resource: &T, name: &str) -> Option<Dynamic> {
    resource
        .serialize(Picker {
            name,
            listing: false,
        })
        .ok()
        .and_then(|picked| picked.found)
}

/// The names of `resource`'s fields, in declaration order: what a script may read.
pub fn names<T: Serialize>(resource: &T) -> Vec<&'static str> {
    resource
        .serialize(Picker {
            name: "",
            listing: true,
        })
        .map(|picked| picked.names)
        .unwrap_or_default()
}

struct Picker<'a> {
    name: &'a str,
    /// Whether to list every field's name (only for an error: a read lists none).
    listing: bool,
}

/// What picking saw: the field asked for, and every field's name.
struct Picked {
    found: Option<Dynamic>,
    names: Vec<&'static str>,
}

struct Picking<'a> {
    name: &'a str,
    listing: bool,
    picked: Picked,
}

/// The only failure: the value is not a struct (inventory resources all are).
#[derive(Debug)]
struct NotAStruct;

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("only a struct's fields can be picked")
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAStruct
    }
}

impl SerializeStruct for Picking<'_> {
    type Ok = Picked;
    type Error = NotAStruct;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        if self.listing {
            self.picked.names.push(key);
        }
        if key == self.name {
            // Plain data: converting it cannot fail.
            self.picked.found = Some(rhai::serde::to_dynamic(value).unwrap_or(Dynamic::UNIT));
        }
        Ok(())
    }

    /// A field the snapshot leaves out when it holds nothing (`skip_serializing_if`).
    fn skip_field(&mut self, key: &'static str) -> Result<(), NotAStruct> {
        if self.listing {
            self.picked.names.push(key);
        }
        if key == self.name {
            self.picked.found = Some(Dynamic::UNIT);
        }
        Ok(())
    }

    fn end(self) -> Result<Picked, NotAStruct> {
        Ok(self.picked)
    }
}

macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Picked, NotAStruct> { Err(NotAStruct) })*
    };
}

impl<'a> ser::Serializer for Picker<'a> {
    type Ok = Picked;
    type Error = NotAStruct;
    type SerializeSeq = Impossible<Picked, NotAStruct>;
    type SerializeTuple = Impossible<Picked, NotAStruct>;
    type SerializeTupleStruct = Impossible<Picked, NotAStruct>;
    type SerializeTupleVariant = Impossible<Picked, NotAStruct>;
    type SerializeMap = Impossible<Picked, NotAStruct>;
    type SerializeStruct = Picking<'a>;
    type SerializeStructVariant = Impossible<Picked, NotAStruct>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Picking<'a>, NotAStruct> {
        Ok(Picking {
            name: self.name,
            listing: self.listing,
            picked: Picked {
                found: None,
                names: Vec::new(),
            },
        })
    }

    not_a_struct!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Picked, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<Picked, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Picked, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAStruct> {
        Err(NotAStruct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of every kind of resource reads as the whole-resource conversion has it
    /// and is among its names; a field skipped when empty reads as `()`, and one the kind
    /// does not have is `None`.
    #[test]
    fn a_picked_field_is_the_field_of_the_whole_conversion() {
        let mut checked = 0;
        let mut absent = 0;
        for (name, text) in crate::snapshot::EXAMPLES {
            let inventory =
                crate::snapshot::parse(text, std::path::Path::new(name)).expect("example parses");
            macro_rules! check {
                ($ty:ty) => {
                    for resource in <$ty as crate::inventory::Collection>::all(&inventory) {
                        let whole = rhai::serde::to_dynamic(resource)
                            .unwrap()
                            .cast::<rhai::Map>();
                        let names = names(resource);
                        for (name, value) in &whole {
                            assert_eq!(
                                pick(resource, name).map(|v| v.to_string()),
                                Some(value.to_string()),
                                "{name}"
                            );
                            assert!(names.contains(&name.as_str()), "{name} in {names:?}");
                            checked += 1;
                        }
                        assert!(pick(resource, "no_such_field").is_none());
                    }
                };
            }
            crate::inventory::index::each_collection!(check);
            for instance in inventory.instances.iter().filter(|i| i.public_ip.is_none()) {
                assert!(pick(instance, "public_ip").is_some_and(|v| v.is_unit()));
                absent += 1;
            }
        }
        assert!(
            checked > 100 && absent > 0,
            "{checked} fields, {absent} absent ones checked"
        );
        assert!(pick(&"not a struct", "len").is_none());
    }
}
