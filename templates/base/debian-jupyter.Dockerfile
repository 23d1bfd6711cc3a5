# transferctl's offline Jupyter base: Debian packages only (no PyPI, no conda needed).
# trixie gives JupyterLab 4 on Jupyter Server 2; bookworm gives the classic notebook 6.
ARG BASE_IMAGE=transferctl/debian:trixie
FROM ${BASE_IMAGE}
ARG JUPYTER_PACKAGES="jupyterlab python3-ipykernel"
ARG JUPYTER_COMMAND=jupyter-lab
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ${JUPYTER_PACKAGES} python3-venv ca-certificates procps less \
 && rm -rf /var/lib/apt/lists/*
# A virtual environment on top of the system packages: `pip install` works in it (PEP 668),
# and it is group-writable by "users" so the notebook user can add packages at run time.
RUN python3 -m venv --system-site-packages /opt/venv \
 && useradd -m -u 1000 -g 100 -s /bin/bash jovyan \
 && chgrp -R users /opt/venv && chmod -R g+w /opt/venv \
 && ln -s "$(command -v ${JUPYTER_COMMAND})" /usr/local/bin/transferctl-jupyter
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SHELL=/bin/bash
WORKDIR /home/jovyan
EXPOSE 8888
CMD ["transferctl-jupyter", "--ip=0.0.0.0", "--port=8888", "--no-browser"]
# Offline machines cannot fetch Jupyter's news feed: do not ask about it.
RUN if command -v jupyter-labextension >/dev/null; then \
      jupyter-labextension disable "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1 || true; fi
