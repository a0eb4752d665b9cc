"""Unpickling runs code: the byte stream names a callable and its arguments."""

import pickle


class Innocent:
    def __reduce__(self):
        # pickle.loads will call print(...) with these arguments. It could as
        # well be os.system with any command line.
        return (print, ("MARKER: this line was printed by pickle.loads",))


payload = pickle.dumps(Innocent())
print(f"payload: {len(payload)} bytes: {payload!r}")
value = pickle.loads(payload)  # the call happens here, on the receiving side
print(f"loads returned {value!r}, not an Innocent")
