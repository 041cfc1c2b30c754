"""Bundles as real consumers read them (issue 22, issue 23's Markdown safety).

- Debian's `hugo` and `pandoc` build every language's Markdown of a default run with no warning,
  one h1 per page, the dates and the BCP 47 language right.
- The default run (the CLI, `--backend auto`: CTranslate2 where it is installed) with HOME and
  OUT under recognisable names leaves no absolute path, user or host name in any output file.
- Hostile titles and paragraphs (`[x](javascript:...)`, autolinks, reference links, `{{ ... }}`
  templates and Hugo shortcodes, bidi overrides) rendered by a Markdown renderer that checks no
  link scheme (markdown-it with its link check turned off), by pandoc and by Hugo: no live
  `javascript:` link, no evaluated template, no bidi control.

CI installs hugo and pandoc (.ci/run) and sets JOBS_REQUIRE_SITE_TOOLS: there a missing tool fails.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

HOME_MARK, OUT_MARK = "home-zq7marker", "out-xk9marker"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("JOBS_REQUIRE_SITE_TOOLS"):
            pytest.fail(f"JOBS_REQUIRE_SITE_TOOLS is set but {name} is not installed")
        pytest.skip(f"{name} is not installed (CI installs Debian's {name})")
    return found


def run_cli(args: list[str], home: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "JOBS_FAST_AUTO": "1",  # the default: --backend auto picks the fast backend
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "jobs", "--quiet", "run", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def default_run(tmp_path_factory, tiny_models, tiny_config):
    """The default job on the seed page, every language, from another working folder."""
    base = tmp_path_factory.mktemp("site")
    home, work = base / HOME_MARK, base / "work"
    home.mkdir()
    work.mkdir()
    registry = yaml.safe_load(tiny_config.read_text(encoding="utf-8"))
    for lang in ("ru", "zh", "kk"):
        registry["languages"][lang]["model"] = str(tiny_models[lang])
    registry["summary"]["model"] = str(tiny_models["summary"])
    config = work / "models.yaml"
    config.write_text(yaml.safe_dump(registry), encoding="utf-8")
    out = base / OUT_MARK
    result = run_cli(["--config", str(config), "--input", str(REPO / "seeds"), "--out", str(out)], home, work)
    assert result.returncode == 0, result.stderr
    return out


def markdown_files(out: Path) -> dict[str, list[Path]]:
    return {
        lang.name: sorted((lang / "latest" / "articles").glob("*.md"))
        for lang in sorted(out.iterdir())
        if lang.is_dir() and not lang.name.startswith(".")
    }


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def test_no_absolute_path_user_or_host_name_in_any_output(default_run):
    out = default_run
    user, host = getpass.getuser(), socket.gethostname()
    absolute = re.compile(r"(?<![\w.:/])/(?:home|root|tmp|Users|var|srv|work|opt|mnt)/")
    manifest = json.loads((out / "ru" / "latest" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"]["translation"]["backend"] == "ctranslate2"  # the default path was taken
    checked = 0
    for path in [out / "index.json", *out.glob("*/latest/**/*")]:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        checked += 1
        assert HOME_MARK not in text and OUT_MARK not in text, path
        assert not absolute.search(text), (path, absolute.search(text).group(0))
        assert f"/{user}/" not in text and f'/{user}"' not in text, path
        if len(host) >= 6:
            assert host not in text, path
    assert checked > 20


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shown(html: str, css: str) -> datetime:
    return when(re.search(f'<time class="{css}">([^<]+)</time>', html).group(1))


def test_hugo_builds_every_language_with_one_h1_and_the_right_dates(default_run, tmp_path):
    hugo = tool("hugo")
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "News"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
        encoding="utf-8",
    )
    (site / "layouts" / "_default" / "single.html").write_text(
        '<html lang="{{ .Params.lang }}"><body><h1>{{ .Title }}</h1>'
        '<time class="date">{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}</time>'
        '<time class="lastmod">{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" }}</time>'
        "{{ .Content }}</body></html>\n",
        encoding="utf-8",
    )
    (site / "layouts" / "_default" / "list.html").write_text("<html><body></body></html>\n", encoding="utf-8")
    files = markdown_files(default_run)
    for lang, paths in files.items():
        (site / "content" / lang).mkdir(parents=True)
        for path in paths:
            shutil.copy(path, site / "content" / lang / path.name)
    result = subprocess.run([hugo, "--source", str(site)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARN" not in result.stdout + result.stderr, result.stdout + result.stderr
    for lang, paths in files.items():
        for path in paths:
            html = (site / "public" / lang / path.stem / "index.html").read_text(encoding="utf-8")
            fields = front_matter(path)
            assert html.count("<h1") == 1, path
            assert f'lang="{fields["lang"]}"' in html
            assert shown(html, "date") == when(fields["date"]), path
            assert shown(html, "lastmod") == when(fields["lastmod"]), path
    assert {front_matter(p)["lang"] for p in files["kk"]} == {"kk-Cyrl"}


def test_pandoc_reads_title_date_and_bcp47_language_with_no_warning(default_run, tmp_path):
    pandoc = tool("pandoc")
    for paths in markdown_files(default_run).values():
        for path in paths:
            result = subprocess.run(
                [pandoc, "--standalone", "-f", "markdown", "-t", "html5", str(path)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0 and not result.stderr, (path, result.stderr)
            fields = front_matter(path)
            assert result.stdout.count("<h1") == 1, path
            assert f'lang="{fields["lang"]}"' in result.stdout, path
            assert f'<p class="date">{fields["date"]}</p>' in result.stdout, path


HOSTILE = [
    {
        "id": "hostile-1",
        "title": "Click [here](javascript:alert(1)) now {{ .Site.Title }}",
        "paragraphs": [
            "A [link](javascript:alert(document.cookie)) and <javascript:alert(2)> in text.",
            "[ref]: javascript:alert(3)",
            'Template {{ printf "%s" "evaluated" }} and {{< figure src="x" >}} and {% raw %}x{% endraw %}.',
            "Mixed \u202egnp.exe\u202c direction and ![img](javascript:alert(4)) image.",
        ],
    },
    {
        "id": "hostile-2",
        "title": "<javascript:alert(5)> [t]: javascript:alert(6) {{% shortcode %}}",
        "paragraphs": ["Ordinary text to keep this article long enough to be read as one."],
    },
]


@pytest.fixture(scope="module")
def hostile_bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    (base / "home").mkdir()
    source = base / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE), encoding="utf-8")
    out = base / "out"
    result = run_cli(["--lang", "en", "--no-summary", "--input", str(source), "--out", str(out)], base / "home", REPO)
    assert result.returncode == 0, result.stderr
    return out / "en" / "latest"


def live_javascript(html: str) -> list[str]:
    return re.findall(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", html, flags=re.IGNORECASE)


def test_hostile_markdown_is_inert_in_a_renderer_that_checks_no_scheme(hostile_bundle):
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark")
    renderer.validateLink = lambda url: True  # renders javascript: links as links
    assert live_javascript(renderer.render("[x](javascript:alert(1))"))  # the renderer is unsafe
    for path in sorted((hostile_bundle / "articles").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert not BIDI.search(text)
        body = text.split("---\n", 2)[2]
        html = renderer.render(body)
        assert not live_javascript(html), (path, html)
        for value in front_matter(path).values():
            if isinstance(value, str):
                assert not live_javascript(renderer.render(value)), (path, value)


def test_hostile_markdown_is_inert_in_pandoc_and_hugo(hostile_bundle, tmp_path):
    pandoc, hugo = tool("pandoc"), tool("hugo")
    for path in sorted((hostile_bundle / "articles").glob("*.md")):
        html = subprocess.run(
            [pandoc, "--standalone", "-f", "markdown", "-t", "html5", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        assert not live_javascript(html), (path, html)
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content").mkdir()
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "SITE-TITLE-MARK"\n', encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(
        "<html><body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n", encoding="utf-8"
    )
    (site / "layouts" / "_default" / "list.html").write_text("<html></html>\n", encoding="utf-8")
    for path in (hostile_bundle / "articles").glob("*.md"):
        shutil.copy(path, site / "content" / path.name)
    result = subprocess.run([hugo, "--source", str(site)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr  # an evaluated shortcode would fail the build
    for page in (site / "public").rglob("hostile-*/index.html"):
        html = page.read_text(encoding="utf-8")
        assert not live_javascript(html), (page, html)
        assert "SITE-TITLE-MARK" not in html  # {{ .Site.Title }} was not evaluated
        if "Template" in html:
            assert "{{ printf" in html and "{{&lt; figure" in html and "{% raw %}" in html  # shown as written
        assert not BIDI.search(html)
