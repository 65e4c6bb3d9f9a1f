"""Checks of the plan's words: the source document is read, every clause's text assembled, every quote found
in the clause it cites, and every task, goal and annex text found word for word in the source."""

from __future__ import annotations

from yangfan.core.planfile.base import ReaderBase
from yangfan.core.planfile.yaml_lines import Path_


class TextChecks(ReaderBase):
    """The plan's texts against its clauses and its source document."""

    def _read_source(self) -> str:
        name = self.data["plan"].get("source")
        if not name:
            return ""
        if self.source_text is not None:
            return self.source_text
        if self.base_dir is None:
            self.problem(("plan", "source"), "无法确定原文文件的位置")
            return ""
        path = self.base_dir / name
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            self.problem(("plan", "source"), f"找不到原文文件 {path}")
            return ""

    def _clause_texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for _, s in self.items("sections"):
            texts[s["code"]] = s["title"] + "\n" + s.get("text", "")
        for _, t in self.items("tasks"):
            texts[t["code"]] = f"{t['title']}。{t['text']}（责任单位：{t['responsibility']}）"
        for _, p in self.items("special_projects"):
            texts[p["code"]] = p["title"] + "\n" + p["text"]
        for _, g in self.items("safeguards"):
            texts[g["code"]] = f"{g['title']}。{g['text']}"
        for _, g in self.items("goals"):
            texts[g["code"]] = f"{g['title']}。{g['text']}"
        annex = self.data.get("annex")
        if annex:
            rows = [f"{r['indicator']}\n{r['meaning']}\n{r['value']}" for r in annex["rows"]]
            texts["附件"] = "\n".join([annex["title"], *rows, *annex.get("notes", [])])
        return texts

    def _check_sources(self, clause_texts: dict[str, str]) -> None:
        for collection in ("data_elements", "registries", "indicators"):
            for path, item in self.items(collection):
                sources = item.get("sources", [])
                if not sources and not item.get("remark"):
                    self.problem((*path, "sources"), "未引用计划条款；若原文确无出处，请在 remark 中说明原因")
                for i, source in enumerate(sources):
                    self._check_quote((*path, "sources", i), source["clause"], source["quote"], clause_texts)
        for path, target in self.items("qualitative_targets"):
            self._check_quote(path, target["clause"], target["text"], clause_texts)

    def _check_quote(self, path: Path_, clause: str, quote: str, clause_texts: dict[str, str]) -> None:
        if clause not in clause_texts:
            self.problem((*path, "clause"), f"条款“{clause}”不存在")
        elif quote not in clause_texts[clause]:
            self.problem(path, f"引文“{quote}”不在条款 {clause} 的原文中")

    def _check_against_source(self, source: str) -> None:
        name = self.data["plan"]["source"]

        def check(path: Path_, text: str) -> None:
            for paragraph in text.split("\n"):
                if paragraph and paragraph not in source:
                    self.problem(
                        path, f"在原文 {name} 中找不到这段文字（须逐字取自原文）：“{paragraph[:30]}…”"
                    )

        for path, section in self.items("sections"):
            check((*path, "title"), section["title"])
            check((*path, "text"), section.get("text", ""))
        for path, task in self.items("tasks"):
            for key in ("title", "text", "responsibility"):
                check((*path, key), task[key])
        for collection in ("special_projects", "safeguards", "goals"):
            for path, item in self.items(collection):
                check((*path, "title"), item["title"])
                check((*path, "text"), item["text"])
        annex = self.data.get("annex")
        if annex:
            for i, row in enumerate(annex["rows"]):
                for key in ("indicator", "meaning"):
                    check(("annex", "rows", i, key), row[key])
            for i, note in enumerate(annex.get("notes", [])):
                check(("annex", "notes", i), note)
