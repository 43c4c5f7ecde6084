package dev.tiergate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedMapTest {

  @Test
  void insertionOrderedDropsTheEntryPutFirstEvenWhenItWasRead() {
    final Map<String, Integer> map = BoundedMap.insertionOrdered(2);
    map.put("a", 1);
    map.put("b", 2);
    map.get("a");
    map.put("c", 3);
    assertThat(map).containsOnlyKeys("b", "c");
  }

  @Test
  void leastRecentlyUsedDropsTheEntryUntouchedLongest() {
    final Map<String, Integer> map = BoundedMap.leastRecentlyUsed(2);
    map.put("a", 1);
    map.put("b", 2);
    map.get("a");
    map.put("c", 3);
    assertThat(map).containsOnlyKeys("a", "c");
  }

  @Test
  void refusesACapacityBelowOne() {
    assertThatThrownBy(() -> BoundedMap.insertionOrdered(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be positive: 0");
  }
}
