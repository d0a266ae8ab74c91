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

/// Field `name` of `resource` (a struct), or `()` when it has none or it is skipped.
pub fn pick<T: Serialize>(resource: &T, name: &str) -> Dynamic {
    resource.serialize(Picker { name }).unwrap_or(Dynamic::UNIT)
}

struct Picker<'a> {
    name: &'a str,
}

struct Picking<'a> {
    name: &'a str,
    found: Dynamic,
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
    type Ok = Dynamic;
    type Error = NotAStruct;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        if key == self.name {
            // Plain data: converting it cannot fail.
            self.found = rhai::serde::to_dynamic(value).unwrap_or(Dynamic::UNIT);
        }
        Ok(())
    }

    fn end(self) -> Result<Dynamic, NotAStruct> {
        Ok(self.found)
    }
}

macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Dynamic, NotAStruct> { Err(NotAStruct) })*
    };
}

impl<'a> ser::Serializer for Picker<'a> {
    type Ok = Dynamic;
    type Error = NotAStruct;
    type SerializeSeq = Impossible<Dynamic, NotAStruct>;
    type SerializeTuple = Impossible<Dynamic, NotAStruct>;
    type SerializeTupleStruct = Impossible<Dynamic, NotAStruct>;
    type SerializeTupleVariant = Impossible<Dynamic, NotAStruct>;
    type SerializeMap = Impossible<Dynamic, NotAStruct>;
    type SerializeStruct = Picking<'a>;
    type SerializeStructVariant = Impossible<Dynamic, NotAStruct>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Picking<'a>, NotAStruct> {
        Ok(Picking {
            name: self.name,
            found: Dynamic::UNIT,
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

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Dynamic, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<Dynamic, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Dynamic, NotAStruct> {
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

    /// Every field of every kind of resource reads as the whole-resource conversion has it,
    /// and a field a resource lacks (or skips when empty) reads as `()`.
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
                        for (name, value) in &whole {
                            assert_eq!(
                                pick(resource, name).to_string(),
                                value.to_string(),
                                "{name}"
                            );
                            checked += 1;
                        }
                        assert!(pick(resource, "no_such_field").is_unit());
                    }
                };
            }
            crate::inventory::index::each_collection!(check);
            for instance in inventory.instances.iter().filter(|i| i.public_ip.is_none()) {
                assert!(pick(instance, "public_ip").is_unit());
                absent += 1;
            }
        }
        assert!(
            checked > 100 && absent > 0,
            "{checked} fields, {absent} absent ones checked"
        );
        assert!(pick(&"not a struct", "len").is_unit());
    }
}
