/* Embedding whisp-engine from C through whisp.h.
 *
 *   whisp_example_c SERVER_URL USERNAME PASSWORD API_KEY DB_PATH
 *
 * Signs in, waits until the engine is synced, sends a message to the user's first chat, waits
 * until the server confirmed it, and prints that chat's snapshot JSON. Exit 0 on success.
 * (A real app would parse the snapshot JSON with its JSON library; this example only searches
 * it, to stay dependency-free.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whisp/whisp.h"

/* Runs on the engine's thread: keep it short, copy what you keep. */
static void on_event(void* user_data, int kind, const char* json) {
  int* changes = (int*)user_data;
  if (kind == WHISP_EVENT_CHANGED) {
    ++*changes; /* only this thread writes it; main reads it after whisp_engine_free */
  } else if (kind == WHISP_EVENT_CONNECTION || kind == WHISP_EVENT_ERROR) {
    fprintf(stderr, "event %d: %s\n", kind, json);
  }
}

/* Copies the value of the first "chatId" in a snapshot into out (size n). */
static int first_chat_id(const char* snapshot, char* out, size_t n) {
  const char* key = "\"chatId\":\"";
  const char* p = strstr(snapshot, key);
  if (p == NULL) return 0;
  p += strlen(key);
  const char* end = strchr(p, '"');
  if (end == NULL || (size_t)(end - p) >= n) return 0;
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s SERVER_URL USERNAME PASSWORD API_KEY DB_PATH\n", argv[0]);
    return 2;
  }
  char config[2048];
  snprintf(config, sizeof config,
           "{\"serverUrl\":\"%s\",\"databasePath\":\"%s\","
           "\"auth\":{\"username\":\"%s\",\"password\":\"%s\",\"apiKey\":\"%s\"}}",
           argv[1], argv[5], argv[2], argv[3], argv[4]);

  int changes = 0;
  whisp_engine* engine = NULL;
  char* error = NULL;
  if (whisp_engine_start(config, on_event, &changes, &engine, &error) != WHISP_OK) {
    fprintf(stderr, "start failed: %s\n", error);
    whisp_string_free(error);
    return 1;
  }
  int status = 1;
  char* snapshot = NULL;
  char* local_id = NULL;
  char chat_id[256];
  if (!whisp_wait_idle(engine, 20000)) {
    fprintf(stderr, "not synced in time\n");
  } else if (whisp_snapshot(engine, NULL, &snapshot, &error) != WHISP_OK) {
    fprintf(stderr, "snapshot failed: %s\n", error);
  } else if (!first_chat_id(snapshot, chat_id, sizeof chat_id)) {
    fprintf(stderr, "the user has no chat\n");
  } else if (whisp_send_message(engine, chat_id, "hello from C", &local_id, &error) != WHISP_OK) {
    fprintf(stderr, "send failed: %s\n", error);
  } else {
    printf("sent %s to chat %s\n", local_id, chat_id);
    whisp_string_free(snapshot);
    snapshot = NULL;
    if (whisp_wait_idle(engine, 20000) &&
        whisp_snapshot(engine, chat_id, &snapshot, &error) == WHISP_OK &&
        strstr(snapshot, "\"text\":\"hello from C\"") != NULL) {
      printf("%s\n", snapshot);
      status = 0;
    } else {
      fprintf(stderr, "the message was not confirmed: %s\n", error ? error : "timeout");
    }
  }
  whisp_string_free(local_id);
  whisp_string_free(snapshot);
  whisp_string_free(error);
  whisp_engine_free(engine);
  printf("%d change notification(s)\n", changes);
  return status;
}
