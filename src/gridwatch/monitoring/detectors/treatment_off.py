"""(9) Treatment off while production runs (治污设施停运而产污设施运行)."""

from __future__ import annotations

from gridwatch.monitoring.detectors.base import (
    DetectContext,
    DeviceState,
    Finding,
    Observation,
    Persistence,
    grade_for,
    is_on,
    register,
)


@register("treatment_off")
class TreatmentOff:
    name: str

    def observe(self, dev: DeviceState, obs: Observation, ctx: DetectContext) -> list[Finding]:
        s = ctx.settings
        scratch = dev.scratch.setdefault(self.name, {})
        held = Persistence(scratch)
        last: dict[str, Finding] = scratch.setdefault("last", {})
        steps = (
            (s.treatment_off_notice_s, "notice"),
            (s.treatment_off_warning_s, "warning"),
            (s.treatment_off_severe_s, "severe"),
        )
        out: list[Finding] = []
        for treat, prod in dev.pairs():
            key = treat.channel_id
            prod_on = is_on(dev.power(obs, prod.channel_id), prod, s)
            treat_on = is_on(dev.power(obs, treat.channel_id), treat, s)
            if prod_on is None or treat_on is None:  # no reading: the last verdict stands
                if key in last:
                    out.append(last[key])
                continue
            if prod_on and not treat_on:
                duration = held.hold(key, obs.t)
                grade = grade_for(duration, steps)
                if grade is not None:
                    last[key] = Finding(
                        key=key,
                        grade=grade,
                        channel_id=key,
                        summary=f"treatment {key} off while production {prod.channel_id} runs "
                        f"for {duration / 60:.0f} min",
                        evidence=dev.evidence([prod.channel_id, key]),
                    )
                    out.append(last[key])
            else:
                held.clear(key)
                last.pop(key, None)
        return out

    def sweep(self, dev: DeviceState, wall: float, ctx: DetectContext) -> None:
        return None
