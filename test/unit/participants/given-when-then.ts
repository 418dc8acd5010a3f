/**
 * Given / when / then for deciders: given past events, when a command, then the new events or an error.
 * (test/support/decider-spec.ts is the ledger's richer version; this one fits the plain Emmett shape.)
 */
export type PlainDecider<Command, Event, State> = {
  initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
};

export function deciderSpec<Command, Event, State>(decider: PlainDecider<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = events.reduce((current, event) => decider.evolve(current, event), decider.initialState);
      return {
        when(command: Command) {
          const run = (): Event[] => decider.decide(command, state);
          return {
            then(expected: Event[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(code: string): void {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toMatchObject({ code });
            },
          };
        },
      };
    },
  };
}
