"""Simulated sub-metered firms (分表计电) talking HJ 212 to the gateway, with ground truth per scenario."""
