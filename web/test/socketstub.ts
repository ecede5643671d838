// A socket module that does nothing, for tests of the store and actions that must not connect:
// vi.mock("../src/lib/socket", async () => (await import("./socketstub")).socketStub);
export const socketStub = {
  pushOn: () => Promise.resolve({}),
  isFollowing: () => false,
  connectSocket: () => {},
  disconnectSocket: () => {},
  follow: () => Promise.resolve(null),
  followChannels: () => {},
  pushActivity: () => {},
  setSocketHooks: () => {},
  unfollow: () => {},
  applyMembership: () => {},
};
