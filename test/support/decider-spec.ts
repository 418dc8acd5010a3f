/**
 * Given/when/then for deciders (Emmett style): given these events, when this command, then this output
 * (the events, or a decision such as the ledger's `{ result, event }`) or this error.
 *
 *   const spec = DeciderSpecification.for({ decide, evolve, initialState });
 *   spec.given([opened('A')]).when(transfer('t-1')).then({ result: 'ok', event: posted('t-1') });
 *   spec.given([]).when(badCommand).thenThrows((error) => error.code === 'VALIDATION_FAILED');
 *
 * `initialState` is a function so that deciders with mutable state get a fresh one per case.
 */
export type Decider<Command, Event, State, Output> = {
  decide: (command: Command, state: State) => Output;
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
};

export type Then<Output, State> = {
  /** The output must deep-equal `expected`. */
  then(expected: Output): void;
  /** The output must satisfy `check` (for outputs with parts the test cannot predict). */
  thenMatches(check: (output: Output, state: State) => boolean): void;
  /** decide must throw an error with this code, or one satisfying `check`. */
  thenThrows(check: string | ((error: { code?: unknown; message?: unknown }) => boolean)): void;
};

export class DeciderSpecification<Command, Event, State, Output> {
  private constructor(private readonly decider: Decider<Command, Event, State, Output>) {}

  static for<Command, Event, State, Output>(
    decider: Decider<Command, Event, State, Output>,
  ): DeciderSpecification<Command, Event, State, Output> {
    return new DeciderSpecification(decider);
  }

  given(events: readonly Event[]): { when(command: Command): Then<Output, State> } {
    return {
      when: (command: Command) => {
        const run = (): { output: Output; state: State } => {
          let state = this.decider.initialState();
          for (const event of events) state = this.decider.evolve(state, event);
          return { output: this.decider.decide(command, state), state };
        };
        return {
          then(expected: Output): void {
            expect(run().output).toEqual(expected);
          },
          thenMatches(check: (output: Output, state: State) => boolean): void {
            const { output, state } = run();
            expect(check(output, state)).toBe(true);
          },
          thenThrows(check: string | ((error: { code?: unknown; message?: unknown }) => boolean)): void {
            let thrown: unknown = undefined;
            let threw = false;
            try {
              run();
            } catch (error) {
              thrown = error;
              threw = true;
            }
            expect(threw).toBe(true);
            if (typeof check === 'string') expect(thrown).toMatchObject({ code: check });
            else expect(check(thrown as { code?: unknown; message?: unknown })).toBe(true);
          },
        };
      },
    };
  }
}

/** The plain Emmett shape (`decide` returns events, `initialState` is a value): the usual case outside the ledger. */
export function deciderSpec<Command, Event, State>(decider: {
  initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}): DeciderSpecification<Command, Event, State, Event[]> {
  return DeciderSpecification.for({
    decide: (command, state) => decider.decide(command, state),
    evolve: (state, event) => decider.evolve(state, event),
    initialState: () => decider.initialState,
  });
}
