/* Memory-hard hashes (yescrypt for passwords, argon2id for security
 * answers) take tens of MiB each: with one thread per client, unbounded
 * hashing would take gigabytes under load and run no faster than one per
 * CPU. Every such hash runs inside a slot; there is one slot per CPU. */
#pragma once

void cpuslot_acquire(void);
void cpuslot_release(void);
