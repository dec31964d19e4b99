package org.portcullis.rest.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * OpenAPI schemas of the API's bodies, read from their Java types as the JSON provider maps
 * them: records are objects of their components (named in {@code components/schemas} and
 * referenced), collections arrays, maps objects, numbers, booleans, strings, enums and
 * {@code java.time} values as the JSON types they become. Types with no fixed JSON shape
 * (a {@code Response}, a stream) have none.
 */
final class JsonSchemas {

    private final Map<String, Object> named = new TreeMap<>();

    /** The schemas referenced so far, for {@code components/schemas}. */
    Map<String, Object> named() {
        return named;
    }

    /** The schema of {@code type}, or {@code null} when its JSON shape is not fixed by the type. */
    Map<String, Object> of(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                return array(of(args[0]));
            }
            if (Map.class.isAssignableFrom(raw)) {
                Map<String, Object> values = of(args[1]);
                return values == null ? Map.of("type", "object") : Map.of("type", "object", "additionalProperties", values);
            }
            if (raw == Optional.class) {
                return of(args[0]);
            }
            return of(raw);
        }
        if (type instanceof GenericArrayType a) {
            return array(of(a.getGenericComponentType()));
        }
        if (!(type instanceof Class<?> c)) {
            return null;
        }
        if (c == String.class || c == char[].class || c.isEnum() || CharSequence.class.isAssignableFrom(c)) {
            return Map.of("type", "string");
        }
        if (Temporal.class.isAssignableFrom(c)) {
            return Map.of("type", "string", "format", "date-time");
        }
        if (c == int.class || c == Integer.class || c == short.class || c == Short.class) {
            return Map.of("type", "integer", "format", "int32");
        }
        if (c == long.class || c == Long.class) {
            return Map.of("type", "integer", "format", "int64");
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return Map.of("type", "number");
        }
        if (c == boolean.class || c == Boolean.class) {
            return Map.of("type", "boolean");
        }
        if (c == byte[].class) {
            return Map.of("type", "string", "format", "byte");
        }
        if (c.isArray()) {
            return array(of(c.getComponentType()));
        }
        if (c.isRecord()) {
            return record(c);
        }
        if (Map.class.isAssignableFrom(c)) {
            return Map.of("type", "object");
        }
        return null;
    }

    private Map<String, Object> record(Class<?> c) {
        String name = c.getEnclosingClass() == null ? c.getSimpleName() : c.getEnclosingClass().getSimpleName() + "." + c.getSimpleName();
        if (!named.containsKey(name)) {
            named.put(name, Map.of()); // placeholder: a record that contains itself refers to this name
            Map<String, Object> properties = new LinkedHashMap<>();
            for (RecordComponent rc : c.getRecordComponents()) {
                Map<String, Object> s = of(rc.getGenericType());
                properties.put(rc.getName(), s == null ? Map.of() : s);
            }
            named.put(name, Map.of("type", "object", "properties", properties));
        }
        return Map.of("$ref", "#/components/schemas/" + name);
    }

    private static Map<String, Object> array(Map<String, Object> items) {
        return items == null ? Map.of("type", "array") : Map.of("type", "array", "items", items);
    }
}
