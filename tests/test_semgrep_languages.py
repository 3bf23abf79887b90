"""semgrep is given only the rule files for the languages of a batch, and loses no finding by it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzers.semgrep import RULES_DIR, SemgrepAnalyzer, bundled_rules, find_semgrep
from analyzers.semgrep_languages import LANGUAGE_EXTENSIONS, rule_file_extensions, rules_for_files
from tests.files import write_file
from tests.test_semgrep import ANNOTATION, TESTS_DIR

SEMGREP = find_semgrep()
needs_semgrep = pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed")


def names(paths: list[Path]) -> set[str]:
    return {path.name for path in paths}


def rule_file_of() -> dict[str, str]:
    """rule id -> the bundled rule file that holds it."""
    import yaml

    return {
        str(rule["id"]): path.name
        for path in bundled_rules()
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    }


def test_a_python_only_batch_gets_no_terraform_or_java_rules() -> None:
    chosen = names(SemgrepAnalyzer().rules_for(["app/service.py", "app/core.py"]))
    assert {"python.yml", "python-web.yml"} <= chosen
    assert not chosen & {"terraform.yml", "java.yml", "java-web.yml"}
    assert all(name.startswith("python") for name in chosen)


def test_a_mixed_batch_gets_the_rules_of_every_language_in_it() -> None:
    chosen = names(SemgrepAnalyzer().rules_for(["app/service.py", "infra/main.tf", "src/A.java"]))
    assert {"python.yml", "python-web.yml", "terraform.yml", "java.yml", "java-web.yml"} <= chosen
    assert not chosen & {"ruby.yml", "go.yml", "php.yml"}


def test_headers_get_c_and_cpp_rules_and_typescript_gets_the_javascript_ones() -> None:
    assert {"c.yml", "cpp.yml"} <= names(SemgrepAnalyzer().rules_for(["inc/io.h"]))
    ts = names(SemgrepAnalyzer().rules_for(["web/app.tsx"]))
    assert {"typescript.yml", "javascript.yml", "javascript-web.yml"} <= ts


def test_every_bundled_rule_file_is_chosen_for_some_extension_the_analyzer_sends() -> None:
    # A rule file no handled extension selects would never run: a rule lost without a trace.
    analyzer = SemgrepAnalyzer()
    for path in bundled_rules():
        exts = rule_file_extensions(path)
        assert exts is None or any(analyzer.handles(f"x{ext}") for ext in exts), path.name


def test_every_annotated_rule_is_given_to_a_batch_of_its_test_target() -> None:
    # Each rule's positive cases are in a test target of its language: a batch holding only
    # that target must be given the rule file of every rule it expects to match.
    holder = rule_file_of()
    for target in sorted(TESTS_DIR.iterdir()):
        if ".fixed." in target.name:
            continue
        expected = {
            holder[rule_id] for kind, rule_id in ANNOTATION.findall(target.read_text()) if kind == "ruleid"
        }
        assert expected <= names(SemgrepAnalyzer().rules_for([target.name])), target.name


def test_rules_for_any_language_and_unreadable_files_are_always_given(tmp_path: Path) -> None:
    generic = tmp_path / "generic.yml"
    generic.write_text(
        "rules:\n- id: g\n  languages: [generic]\n  pattern: TODO\n  message: m\n  severity: INFO\n"
    )
    regex = tmp_path / "regex.yml"
    regex.write_text(
        "rules:\n- id: r\n  languages: [regex]\n  pattern-regex: x\n  message: m\n  severity: INFO\n"
    )
    mixed = tmp_path / "mixed.yml"  # one Ruby rule and one for a language the table does not know
    mixed.write_text("rules:\n- {id: a, languages: [ruby]}\n- {id: b, languages: [elixir]}\n")
    broken = tmp_path / "broken.yml"
    broken.write_text("rules: [\n")
    ruby = tmp_path / "ruby.yml"
    ruby.write_text("rules:\n- {id: a, languages: [ruby]}\n")
    chosen = rules_for_files([generic, regex, mixed, broken, ruby], ["a.py"])
    assert chosen == [generic, regex, mixed, broken]


def test_erb_rules_go_only_to_batches_with_a_view() -> None:
    assert "erb.yml" in names(SemgrepAnalyzer().rules_for(["app/views/posts/show.html.erb"]))
    assert "erb.yml" in names(SemgrepAnalyzer().rules_for(["app/models/post.rb", "app/views/a.erb"]))
    assert "erb.yml" not in names(SemgrepAnalyzer().rules_for(["app/models/post.rb", "app/service.py"]))
    assert rule_file_extensions(RULES_DIR / "erb.yml") == {".erb"}


def test_generic_rules_are_kept_to_their_included_extensions_only_for_plain_globs(tmp_path: Path) -> None:
    def rule_file(name: str, include: str) -> Path:
        path = tmp_path / name
        path.write_text(
            "rules:\n- id: g\n  languages: [regex]\n  pattern-regex: x\n  message: m\n"
            f"  severity: INFO\n  paths:\n    include: {include}\n"
        )
        return path

    views = rule_file("views.yml", '["*.erb", "*.html.haml"]')
    nested = rule_file("nested.yml", '["app/views/*.erb"]')  # a directory: not a plain extension
    anywhere = rule_file("anywhere.yml", '["*"]')
    assert rule_file_extensions(views) == {".erb", ".haml"}
    assert rules_for_files([views, nested, anywhere], ["a.py"]) == [nested, anywhere]
    assert rules_for_files([views, nested, anywhere], ["v/a.html.erb"]) == [views, nested, anywhere]


def test_a_batch_no_rule_file_covers_gets_them_all(tmp_path: Path) -> None:
    ruby = tmp_path / "ruby.yml"
    ruby.write_text("rules:\n- {id: a, languages: [ruby]}\n")
    assert rules_for_files([ruby], ["a.py"]) == [ruby]


def test_an_edited_rule_file_is_read_again(tmp_path: Path) -> None:
    rules = tmp_path / "team.yml"
    rules.write_text("rules:\n- {id: a, languages: [ruby]}\n")
    assert rules_for_files([rules, RULES_DIR / "python.yml"], ["a.py"]) == [RULES_DIR / "python.yml"]
    rules.write_text("rules:\n- {id: a, languages: [ruby, python]}\n")
    assert rules_for_files([rules, RULES_DIR / "python.yml"], ["a.py"])[0] == rules


def test_extra_rule_files_of_a_repository_are_given_to_every_batch(tmp_path: Path) -> None:
    extra = tmp_path / "team.yml"
    extra.write_text("rules:\n- {id: t, languages: [ruby], pattern: x, message: m, severity: INFO}\n")
    chosen = SemgrepAnalyzer(extra_rule_paths=[extra]).rules_for(["a.py"])
    assert chosen[-1] == extra
    assert "ruby.yml" not in names(chosen)


@needs_semgrep
def test_the_language_table_agrees_with_semgrep() -> None:
    lang_json = Path(SEMGREP or "").parent.parent / "lib"  # the venv's site-packages, when there
    found = sorted(lang_json.glob("python3*/site-packages/semgrep/semgrep_interfaces/lang.json"))
    if not found:
        pytest.skip("semgrep's language table is not installed beside it")
    for lang in json.loads(found[0].read_text(encoding="utf-8")):
        for key in lang.get("keys") or [lang["id"]]:
            if key in LANGUAGE_EXTENSIONS:
                assert LANGUAGE_EXTENSIONS[key] == {ext.lower() for ext in lang["exts"]}, key


@needs_semgrep
async def test_a_mixed_batch_finds_what_all_rules_find(tmp_path: Path) -> None:
    # One run, its argv naming only the batch's rule files, finds every annotated case.
    targets = ["python.py", "terraform.tf", "java.java"]
    for name in targets:
        write_file(tmp_path, name, (TESTS_DIR / name).read_text(encoding="utf-8"))
    result = await SemgrepAnalyzer().run(tmp_path, targets, timeout=120)
    assert result.error is None, result.error
    got = {(f.path, f.rule_id) for f in result.findings}
    for name in targets:
        text = (TESTS_DIR / name).read_text(encoding="utf-8")
        expected = {(name, rule_id) for kind, rule_id in ANNOTATION.findall(text) if kind == "ruleid"}
        assert expected <= got, name
