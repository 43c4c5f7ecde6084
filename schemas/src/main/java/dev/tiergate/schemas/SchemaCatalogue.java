package dev.tiergate.schemas;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Registers the value schema of every catalogue topic, one after the other, through the topics' own
 * serializers (so under the same subject and in the same form the services use), before any service
 * writes. Apicurio 2.4 with its embedded H2 database fails two different schemas registered at the
 * same moment (the content-id sequence collides: a unique-key violation), and the first response and
 * usage record of a fresh registry are written together; registering at provisioning time takes
 * that race off the request path. Registering a schema that is already there is a no-op.
 */
public final class SchemaCatalogue {

  private SchemaCatalogue() {}

  /** Registers every Avro value schema of {@link Topics#ALL}; raw-bytes topics have none. */
  public static void registerAll(final KafkaSettings kafka) {
    Objects.requireNonNull(kafka, "kafka");
    for (final Topic<?> topic : Topics.ALL) {
      if (topic.valueType() == byte[].class) {
        continue;
      }
      final Schema schema = SpecificData.get().getSchema(topic.valueType());
      @SuppressWarnings("unchecked")
      final Serializer<Object> serializer =
          (Serializer<Object>) topic.valueSerde(kafka.serdes()).serializer();
      serializer.serialize(topic.name(), filler(schema));
    }
  }

  /** Any valid value of the schema: defaults where there are some, zero values elsewhere. */
  private static Object filler(final Schema schema) {
    return switch (schema.getType()) {
      case RECORD -> record(schema);
      case STRING -> "";
      case LONG -> 0L;
      case INT -> 0;
      case BOOLEAN -> false;
      case DOUBLE -> 0.0;
      case FLOAT -> 0.0f;
      case BYTES -> ByteBuffer.allocate(0);
      case ENUM -> new GenericData.EnumSymbol(schema, schema.getEnumSymbols().get(0));
      case ARRAY -> List.of();
      case MAP -> Map.of();
      case UNION -> filler(schema.getTypes().get(0));
      case FIXED -> new GenericData.Fixed(schema, new byte[schema.getFixedSize()]);
      case NULL -> null;
    };
  }

  private static GenericData.Record record(final Schema schema) {
    final GenericData.Record record = new GenericData.Record(schema);
    for (final Schema.Field field : schema.getFields()) {
      record.put(
          field.pos(),
          field.hasDefaultValue()
              ? GenericData.get().getDefaultValue(field)
              : filler(field.schema()));
    }
    return record;
  }
}
