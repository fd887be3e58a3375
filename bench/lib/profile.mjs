// Asks the bench app to time each phase of the send loop inside PocketBase's JS VM.

/** The VM-side phase timings (ms per broadcast) with the clients connected now. */
export async function profileSend(url, reps) {
  const res = await fetch(`${url}/bench/profile?reps=${reps}`, { signal: AbortSignal.timeout(120000) });
  if (!res.ok) throw new Error(`/bench/profile answered ${res.status}: ${await res.text()}`);
  return res.json();
}
